//! The desk in the browser: [`cases`] (reporting, one case's page and its forms) and [`queue`]
//! (agencies' queues, saved filters, exports, and the desk settings).

pub mod cases;
pub mod queue;
