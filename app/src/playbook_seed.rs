//! The shipped country playbooks (`data/playbooks/*.yaml`, illustrative until an agency checks
//! them), loaded as published version 1 of each playbook when a database has none. Officers of
//! the responsible agency take them from there as new versions.

use store::Store;

const PLAYBOOKS: [(&str, &str); 10] = [
    ("AE", include_str!("../../data/playbooks/AE.yaml")),
    ("CN", include_str!("../../data/playbooks/CN.yaml")),
    ("ID", include_str!("../../data/playbooks/ID.yaml")),
    ("IN", include_str!("../../data/playbooks/IN.yaml")),
    ("JP", include_str!("../../data/playbooks/JP.yaml")),
    ("MX", include_str!("../../data/playbooks/MX.yaml")),
    ("PL", include_str!("../../data/playbooks/PL.yaml")),
    ("TH", include_str!("../../data/playbooks/TH.yaml")),
    ("US", include_str!("../../data/playbooks/US.yaml")),
    ("VN", include_str!("../../data/playbooks/VN.yaml")),
];

/// KOTRA runs the overseas-expansion desks, so its officers keep the playbooks current.
const RESPONSIBLE_AGENCY: &str = "KOTRA";

/// Every shipped playbook, parsed; a file that fails to parse or validate is an error (a test
/// keeps them valid, so this only fires on a broken build).
pub fn shipped() -> Result<Vec<domain::playbook::Playbook>, crate::AnyError> {
    let mut out = Vec::new();
    for (cc, text) in PLAYBOOKS {
        let list: Vec<domain::playbook::Playbook> = serde_norway::from_str(text).map_err(|e| format!("playbook file {cc}: {e}"))?;
        for pb in list {
            domain::playbook::validate(&pb).map_err(|e| format!("playbook {cc}/{}: {e:?}", pb.entity_type))?;
            out.push(pb);
        }
    }
    Ok(out)
}

/// Loads the playbooks that are not in the database yet; returns how many were added.
pub async fn seed_playbooks(store: &Store) -> Result<usize, crate::AnyError> {
    use store::TransactionTrait;
    let agency = match store::agencies::by_code(&store.db, RESPONSIBLE_AGENCY).await? {
        Some(a) => a.id,
        None => return Ok(0), // agencies come with the demo or an import; seeded on the next start
    };
    let mut added = 0;
    let tx = store.db.begin().await?;
    for pb in shipped()? {
        if store::playbooks::by_key(&tx, &pb.country, &pb.entity_type).await?.is_some() {
            continue;
        }
        let id = store::playbooks::create(&tx, &pb.country, &pb.entity_type, agency).await?;
        let body = serde_json::to_string(&pb)?;
        let (vid, _) =
            store::playbooks::insert_version(&tx, id, "in_review", &body, "Shipped with GlobalDesk (illustrative, not verified)", None)
                .await?;
        store::playbooks::publish(&tx, vid, 1, None, "").await?;
        added += 1;
    }
    tx.commit().await?;
    Ok(added)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_shipped_playbook_parses_and_passes_the_publication_checks() {
        let all = super::shipped().unwrap();
        let countries: std::collections::BTreeSet<&str> = all.iter().map(|p| p.country.as_str()).collect();
        assert_eq!(countries.len(), 10);
        assert!(all.iter().any(|p| p.country == "ID" && p.entity_type == "foreign_owned_company"));
    }
}
