//! Field-level validation errors.
//!
//! The domain never formats a message for a person: it names the field and a message key
//! (a Fluent id such as `err-brn-checksum`), so that the same refusal reads well in Korean in
//! the browser, in English in an API problem document, and in a CSV import report.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The form/API field name, e.g. `brn` or `products[2]`.
    pub field: String,
    /// The Fluent message id, e.g. `err-required`.
    pub code: &'static str,
    /// Optional argument shown in the message (the offending value, a limit).
    pub arg: Option<String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        Self { field: field.into(), code, arg: None }
    }
    pub fn with_arg(field: impl Into<String>, code: &'static str, arg: impl Into<String>) -> Self {
        Self { field: field.into(), code, arg: Some(arg.into()) }
    }
}

/// All the errors found in one submission: we report every bad field at once, not the first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// One error on one field.
    pub fn single(field: impl Into<String>, code: &'static str) -> Self {
        FieldErrors(vec![FieldError::new(field, code)])
    }
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }
    /// Collects the error of a parse into `self`, returning the value when it parsed.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.code)?;
            if let Some(a) = &e.arg {
                write!(f, " ({a})")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}
