//! The participant export: CSV written row by row as the database yields them.
//!
//! Two flavours: « Excel » (the default: UTF-8 with a BOM, `;` separator, CRLF,
//! dates as 28/11/2026 15:30 Paris time), which French Excel and LibreOffice open
//! with accents right; and `csv` (RFC 4180: comma, CRLF, no BOM, dates in RFC 3339
//! UTC) for scripts. Every cell that a spreadsheet would read as a formula (one
//! starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with
//! `'`, as OWASP advises against CSV injection.

use crate::{
    clock::format_paris,
    db::participants::Participant,
    domain::{AuthorityKind, RegistrationState, Role},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    Excel,
    Rfc4180,
}

impl Flavour {
    pub fn from_query(format: Option<&str>) -> Self {
        match format {
            Some("csv") => Self::Rfc4180,
            _ => Self::Excel,
        }
    }

    fn delimiter(self) -> u8 {
        match self {
            Self::Excel => b';',
            Self::Rfc4180 => b',',
        }
    }

    /// What the file starts with: the BOM tells Excel the file is UTF-8.
    pub fn preamble(self) -> &'static [u8] {
        match self {
            Self::Excel => "\u{feff}".as_bytes(),
            Self::Rfc4180 => b"",
        }
    }
}

/// The columns, in order (documented in the README and on the list page).
pub const COLUMNS: &[&str] = &[
    "état",
    "prénom",
    "nom",
    "courriel",
    "rôle",
    "fonction",
    "type de collectivité",
    "collectivité",
    "code officiel",
    "département",
    "région",
    "téléphone",
    "date d’inscription",
    "date de confirmation",
];

/// A cell made safe for spreadsheets.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

fn date(flavour: Flavour, unix: Option<i64>) -> String {
    let Some(unix) = unix else {
        return String::new();
    };
    match flavour {
        Flavour::Excel => format_paris(unix).replace(" à ", " ").replace(" h ", ":"),
        Flavour::Rfc4180 => time::OffsetDateTime::from_unix_timestamp(unix)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default(),
    }
}

fn line(flavour: Flavour, cells: &[String]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(flavour.delimiter())
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(256));
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(cells.iter().map(|c| neutralise(c)));
    writer.into_inner().unwrap_or_default()
}

pub fn header(flavour: Flavour) -> Vec<u8> {
    let mut bytes = flavour.preamble().to_vec();
    bytes.extend(line(
        flavour,
        &COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
    ));
    bytes
}

pub fn row(flavour: Flavour, p: &Participant) -> Vec<u8> {
    let or_empty = |v: &Option<String>| v.clone().unwrap_or_default();
    line(
        flavour,
        &[
            RegistrationState::parse(&p.state)
                .map(|s| s.label())
                .unwrap_or("")
                .to_owned(),
            p.first_name.clone(),
            p.last_name.clone(),
            p.email.clone(),
            Role::parse(&p.role)
                .map(|r| r.label())
                .unwrap_or("")
                .to_owned(),
            p.function.clone(),
            AuthorityKind::parse(&p.authority_kind)
                .map(|k| k.noun())
                .unwrap_or("")
                .to_owned(),
            p.authority_name.clone(),
            or_empty(&p.authority_code),
            match (&p.departement_code, &p.departement_name) {
                (Some(code), Some(name)) => format!("{name} ({code})"),
                _ => String::new(),
            },
            or_empty(&p.region_name),
            or_empty(&p.phone),
            date(flavour, Some(p.created_at)),
            date(flavour, p.confirmed_at),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_prefixes_are_neutralised() {
        for risky in ["=1+1", "+33", "-2", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(neutralise(risky).starts_with('\''), "{risky:?}");
        }
        assert_eq!(neutralise("Maire"), "Maire");
        assert_eq!(neutralise(""), "");
    }
}
