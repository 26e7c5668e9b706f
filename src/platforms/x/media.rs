//! media (stub)
