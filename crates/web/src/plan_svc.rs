//! Plans for setting up abroad and the playbooks behind them.
