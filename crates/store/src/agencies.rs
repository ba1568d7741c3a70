//! Agencies: the public bodies and partners that work on GlobalDesk.

use crate::changes::Topic;
use crate::{Result, StoreError, all, insert_id, one};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Agency {
    pub id: i64,
    pub code: String,
    pub name_ko: String,
    pub name_en: String,
    pub kind: String,
}

pub async fn list(c: &impl ConnectionTrait) -> Result<Vec<Agency>> {
    Ok(all(c, "SELECT id, code, name_ko, name_en, kind FROM agencies ORDER BY id", vec![]).await?)
}

pub async fn by_code(c: &impl ConnectionTrait, code: &str) -> Result<Option<Agency>> {
    Ok(one(c, "SELECT id, code, name_ko, name_en, kind FROM agencies WHERE code = $1", vec![code.into()]).await?)
}

pub async fn create(c: &impl ConnectionTrait, code: &str, name_ko: &str, name_en: &str, kind: &str) -> Result<i64> {
    let id = insert_id(
        c,
        "INSERT INTO agencies (code, name_ko, name_en, kind) VALUES ($1, $2, $3, $4)",
        vec![code.into(), name_ko.into(), name_en.into(), kind.into()],
    )
    .await
    .map_err(StoreError::unique("agency code"))?;
    // Nodes keep the agency list; this tells them to read it again.
    crate::changes::publish(c, Topic::Staff, id).await?;
    Ok(id)
}

pub async fn by_id(c: &impl ConnectionTrait, id: i64) -> Result<Option<Agency>> {
    Ok(one(c, "SELECT id, code, name_ko, name_en, kind FROM agencies WHERE id = $1", vec![id.into()]).await?)
}
