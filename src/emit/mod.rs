//! Emitters: turn diagnostics and the checked plan into output. They read the data;
//! **invariant:** no emitter re-derives a fact from rendered text.

pub mod adr;
pub mod budget;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod record;
pub mod report;
pub mod rule_doc;
pub mod sarif;
pub mod summary;
pub mod text;
