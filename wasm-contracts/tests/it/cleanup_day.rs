//! Filled in phase 2.
