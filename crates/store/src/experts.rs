//! The directory of vetted local experts and the consultations companies book with them.
