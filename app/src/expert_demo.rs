//! Illustrative local experts for the demo (fictitious firms, marked as such).
