//! Local experts over HTTP: the directory, verification, bookings on a plan step, ratings, and who sees what.

#[allow(unused_imports)]
use crate::common::*;
