//! Emitters: turn diagnostics and the checked plan into output. They read the data;
//! **invariant:** no emitter re-derives a fact from rendered text.

pub mod adr;
pub mod budget;
pub mod human;
pub mod record;
