//! Playbooks and plans over HTTP.

#[allow(unused_imports)]
use crate::common::*;
