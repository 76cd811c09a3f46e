//! The registry of compiler diagnostic codes.
//!
//! Language-level problems have codes of their own, separate from the architect rules
//! (`MLA001`…`MLA999`): `E01xx` syntax, `E02xx` names and imports, `E03xx` types and units,
//! `E04xx` schema declarations; `W` codes are warnings and `N` codes notes. A code, once
//! shipped, keeps its meaning; `docs/language.md` lists them all.

use super::Severity;

#[derive(Debug)]
pub struct Code {
    pub code: &'static str,
    pub severity: Severity,
    /// what the diagnostic is about, in a few words
    pub title: &'static str,
}

macro_rules! codes {
    ($($name:ident = $code:literal, $sev:ident, $title:literal;)*) => {
        $(pub const $name: Code = Code { code: $code, severity: Severity::$sev, title: $title };)*
        /// Every code, in order.
        pub const ALL: &[Code] = &[$($name),*];
    };
}

codes! {
    SYNTAX              = "E0101", Error, "syntax error";
    UNTERMINATED_STRING = "E0102", Error, "unterminated string";
    UNTERMINATED_COMMENT = "E0103", Error, "unterminated block comment";
    UNBALANCED          = "E0104", Error, "unbalanced bracket";
    UNKNOWN_UNIT        = "E0105", Error, "unknown unit";
    MISSING_COMMA       = "E0106", Error, "missing comma between items on one line";
    BAD_MULTIPLE        = "E0107", Error, "multiple written without spaces";
    BAD_ESCAPE          = "E0108", Error, "unknown escape in a string";
    NUMBER_RANGE        = "E0109", Error, "number out of range";
    TOO_DEEP            = "E0110", Error, "brackets nested too deeply";
    BAD_TEXT            = "E0111", Error, "text that is not UTF-8, or a control character";

    UNKNOWN_NAME        = "E0201", Error, "unknown name";
    DUPLICATE           = "E0202", Error, "duplicate declaration";
    IMPORT_CYCLE        = "E0203", Error, "import cycle";
    IMPORT_NOT_FOUND    = "E0204", Error, "imported file cannot be read";
    WRONG_KIND          = "E0205", Error, "reference to a declaration of the wrong kind";
    UNKNOWN_KIND        = "E0206", Error, "unknown declaration kind";
    UNKNOWN_VARIANT     = "E0207", Error, "unknown variant";
    MISSING_VARIANT     = "E0208", Error, "declaration needs a variant";
    UNEXPECTED_VARIANT  = "E0209", Error, "kind has no variants";
    UNKNOWN_OWNER       = "E0210", Error, "attached declaration names no declaration";
    SINGLETON           = "E0211", Error, "a plan needs exactly one declaration of this kind";
    BAD_RULE_CODE       = "E0212", Error, "malformed rule code";
    EMPTY_REASON        = "E0213", Error, "decision or suppression without a reason";
    IMPORT_LIMIT        = "E0214", Error, "imports nested too deeply or too many files";
    REFERENCE_CYCLE     = "E0220", Error, "reference cycle";
    UNUSED              = "W0201", Warning, "declaration that nothing uses";

    MISMATCH            = "E0301", Error, "value of the wrong type";
    WRONG_DIMENSION     = "E0302", Error, "quantity of the wrong dimension";
    MISSING_UNIT        = "E0303", Error, "number without a unit";
    UNKNOWN_FIELD       = "E0304", Error, "unknown field";
    MISSING_FIELD       = "E0305", Error, "missing required field";
    DUPLICATE_FIELD     = "E0306", Error, "field given twice";
    UNKNOWN_VALUE       = "E0307", Error, "unknown enum value";
    FRACTION_RANGE      = "E0308", Error, "fraction outside 0% to 100%";
    NOT_A_COUNT         = "E0309", Error, "count that is negative or not whole";
    COUNT_OVERFLOW      = "E0310", Error, "count too large";
    DERIVED_WRITTEN     = "E0311", Error, "derived field written by hand";
    ARITY               = "E0312", Error, "wrong number of arguments";
    NO_PAYLOAD          = "E0313", Error, "value takes no arguments or fields";
    NONE_REQUIRED       = "E0314", Error, "`none` for a required field";
    EMPTY_RANGE         = "E0315", Error, "range whose start is after its end";
    BAD_SHAPE           = "E0316", Error, "shape with a zero dimension";
    BAD_PERCENTILE      = "E0317", Error, "percentile outside 1 to 100";
    ZERO_MULTIPLE       = "E0318", Error, "multiple of zero";
    NEGATIVE            = "E0319", Error, "negative quantity";
    DUPLICATE_ITEM      = "W0301", Warning, "item listed twice";

    UNKNOWN_TYPE        = "E0401", Error, "unknown type";
    RESERVED_NAME       = "E0402", Error, "name reserved by the language";
    DUPLICATE_MEMBER    = "E0403", Error, "duplicate member in a schema declaration";
    BAD_TYPE            = "E0404", Error, "type that cannot be used here";
    DERIVED_DEFAULT     = "E0405", Error, "derived field with a default";

    RULE_UNKNOWN_FIELD  = "E0501", Error, "rule reads a field that does not exist";
    RULE_TYPE           = "E0502", Error, "rule expression of the wrong type";
    RULE_UNBOUND        = "E0503", Error, "rule uses a name that is not bound";
    RULE_PLACEHOLDER    = "E0504", Error, "message placeholder that cannot be filled";
    RULE_METADATA       = "E0505", Error, "missing or invalid rule metadata";
    RULE_OPTIONS        = "E0506", Error, "rule options that are missing or malformed";
    RULE_UNKNOWN_ITEM   = "E0507", Error, "unknown item in a rule";
    DECISION_LETTER     = "E0508", Error, "decision picks an option the rule does not offer";
    UNKNOWN_RULE        = "E0509", Error, "no rule of this code or name";
    REVIEW_SETTING      = "E0510", Error, "invalid review setting";
    RULE_WORK_LIMIT     = "E0511", Error, "rule stopped at its work limit";
    GATE                = "E0512", Error, "unknown or misused gate";
    UNMATCHED           = "W0502", Warning, "decision or suppression that matches no finding";

    SHADOWS_CATALOG     = "N0201", Note, "declaration shadows a catalog entry";
}

/// Looks a code up by its text, e.g. for `//~ E0301` marks in tests.
pub fn find(code: &str) -> Option<&'static Code> {
    ALL.iter().find(|c| c.code == code)
}
