//! Companies in the browser: [`profile`] (the member's own profile and members), [`search`]
//! (officers' search, a company's page, exports) and [`reference`] (suggestions for form fields).

pub mod profile;
pub mod reference;
pub mod search;
