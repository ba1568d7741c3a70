//! Local experts: the directory, verification by agencies, consultations and ratings.
