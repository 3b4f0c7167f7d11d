//! `inscriptions import airtable`: reads a CSV export of an Airtable form (comma,
//! UTF-8 with or without BOM, quoted multi-line cells, Airtable's date formats),
//! maps its columns by header name (or by `--map`), checks every row exactly as the
//! sign-up form does, skips duplicates, and imports the rest in one transaction:
//! as `pending_email` with a re-confirmation email through the outbox, or as
//! `confirmed` when the operator trusts the export. `--dry-run` reports and writes
//! nothing.

use std::{collections::HashSet, fmt, path::Path};

use anyhow::{Context, bail};
use time::{Date, PrimitiveDateTime, Time, macros::format_description};
use unicode_normalization::UnicodeNormalization;

use crate::{
    db::{
        self,
        registrations::{self, SignUpRow},
    },
    registration::{FreshLinks, confirmation, form::SignUpForm, queue},
    state::AppState,
};

/// A field of ours that a column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    FirstName,
    LastName,
    Email,
    Role,
    Function,
    AuthorityKind,
    AuthorityName,
    AuthorityCode,
    Phone,
    SignedUpAt,
    Ignore,
}

impl Field {
    /// The names `--map` accepts.
    pub const NAMES: &'static [(&'static str, Field)] = &[
        ("prenom", Field::FirstName),
        ("nom", Field::LastName),
        ("courriel", Field::Email),
        ("role", Field::Role),
        ("fonction", Field::Function),
        ("type_collectivite", Field::AuthorityKind),
        ("collectivite", Field::AuthorityName),
        ("code_officiel", Field::AuthorityCode),
        ("telephone", Field::Phone),
        ("date", Field::SignedUpAt),
        ("ignorer", Field::Ignore),
    ];

    pub fn parse(name: &str) -> Option<Field> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
    }
}

/// Lower case, no accents, letters and digits only: "Adresse e-mail" → "adresseemail".
fn simplify(text: &str) -> String {
    text.nfd()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .filter(char::is_ascii)
        .collect()
}

/// The field a header names, for the headers Airtable forms commonly use.
fn field_for_header(header: &str) -> Option<Field> {
    let h = simplify(header);
    Some(match h.as_str() {
        "prenom" | "firstname" => Field::FirstName,
        "nom" | "nomdefamille" | "lastname" => Field::LastName,
        "email"
        | "mail"
        | "courriel"
        | "adresseemail"
        | "adressemail"
        | "adresseelectronique"
        | "adressecourriel" => Field::Email,
        "role" | "vousetes" | "statut" | "agentouelu" | "qualite" => Field::Role,
        "fonction" | "poste" | "intitule" | "intituledeposte" => Field::Function,
        "typedecollectivite" | "typecollectivite" | "typedestructure" | "typedorganisme" => {
            Field::AuthorityKind
        }
        "collectivite"
        | "nomdelacollectivite"
        | "structure"
        | "organisme"
        | "collectiviteouorganisme" => Field::AuthorityName,
        "codeinsee" | "siren" | "codeofficiel" | "codeinseeousiren" => Field::AuthorityCode,
        "telephone" | "tel" | "numerodetelephone" => Field::Phone,
        "created" | "createdtime" | "datedinscription" | "creele" | "date" => Field::SignedUpAt,
        _ => return None,
    })
}

/// Airtable writes "Élu", "élue", "Elu(e)", "Élu·e", "Agent territorial"…
fn role_value(value: &str) -> String {
    let v = simplify(value);
    if v.starts_with("elu") {
        "elected".into()
    } else if v.starts_with("agent") {
        "agent".into()
    } else {
        value.into()
    }
}

fn authority_kind_value(value: &str) -> String {
    let v = simplify(value);
    let kind = if v.is_empty() {
        ""
    } else if v.starts_with("commune") || v == "mairie" {
        "commune"
    } else if v.starts_with("epci")
        || v.starts_with("intercommunal")
        || v.starts_with("communaute")
        || v.starts_with("metropole")
    {
        "epci"
    } else if v.starts_with("departement") || v.starts_with("conseildepartemental") {
        "departement"
    } else if v.starts_with("region") || v.starts_with("conseilregional") {
        "region"
    } else {
        "autre"
    };
    kind.into()
}

/// Airtable's date formats: ISO 8601 (created time), "2021/11/03 14:22",
/// "3/11/2021 14:22" (European locale), "11/3/2021 2:22pm" (US locale), or a date alone.
pub fn parse_date(value: &str) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if let Ok(moment) =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
    {
        return Some(moment.unix_timestamp());
    }
    let (date_part, time_part) = match value.split_once(' ') {
        Some((d, t)) => (d, Some(t.trim())),
        None => (value, None),
    };
    let date = Date::parse(date_part, format_description!("[year]/[month]/[day]"))
        .or_else(|_| Date::parse(date_part, format_description!("[year]-[month]-[day]")))
        .or_else(|_| {
            Date::parse(
                date_part,
                format_description!("[day padding:none]/[month padding:none]/[year]"),
            )
        })
        .or_else(|_| {
            Date::parse(
                date_part,
                format_description!("[month padding:none]/[day padding:none]/[year]"),
            )
        })
        .ok()?;
    let time = match time_part {
        None => Time::MIDNIGHT,
        Some(t) => {
            let lower = t.to_lowercase();
            let (clock, pm) = match (lower.strip_suffix("pm"), lower.strip_suffix("am")) {
                (Some(c), _) => (c.trim().to_owned(), Some(true)),
                (_, Some(c)) => (c.trim().to_owned(), Some(false)),
                _ => (lower.clone(), None),
            };
            let (h, m) = clock.split_once(':')?;
            let (mut h, m): (u8, u8) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
            match pm {
                Some(true) if h < 12 => h += 12,
                Some(false) if h == 12 => h = 0,
                _ => {}
            }
            Time::from_hms(h, m, 0).ok()?
        }
    };
    Some(
        PrimitiveDateTime::new(date, time)
            .assume_utc()
            .unix_timestamp(),
    )
}

pub struct Options {
    pub group_slug: String,
    /// Extra header → field mappings, on top of the known headers.
    pub mappings: Vec<(String, Field)>,
    /// Trust the export: import as confirmed, send no email.
    pub confirmed: bool,
    pub dry_run: bool,
}

#[derive(Debug, Default)]
pub struct Report {
    pub rows: usize,
    pub imported: usize,
    /// (line, address) of rows already registered, or repeated in the file.
    pub duplicates: Vec<(u64, String)>,
    /// (line, reasons) of rows that fail the form's checks.
    pub rejected: Vec<(u64, Vec<String>)>,
    pub unmapped_headers: Vec<String>,
    pub dry_run: bool,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dry_run {
            writeln!(f, "Essai à blanc : rien n’a été écrit.")?;
        }
        writeln!(
            f,
            "{} ligne(s) lue(s) : {} importée(s), {} doublon(s) ignoré(s), {} refusée(s).",
            self.rows,
            self.imported,
            self.duplicates.len(),
            self.rejected.len()
        )?;
        if !self.unmapped_headers.is_empty() {
            writeln!(
                f,
                "Colonnes ignorées (utilisez --map pour les lire) : {}",
                self.unmapped_headers.join(", ")
            )?;
        }
        for (line, address) in &self.duplicates {
            writeln!(
                f,
                "ligne {line} : doublon ignoré ({address} est déjà inscrit·e à ce groupe)"
            )?;
        }
        for (line, reasons) in &self.rejected {
            writeln!(f, "ligne {line} : refusée — {}", reasons.join(" ; "))?;
        }
        Ok(())
    }
}

pub async fn import(state: &AppState, file: &Path, options: &Options) -> anyhow::Result<Report> {
    let bytes = std::fs::read(file).with_context(|| format!("lecture de {}", file.display()))?;
    let text = std::str::from_utf8(&bytes).context("le fichier n’est pas en UTF-8")?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());

    let headers = reader.headers().context("en-têtes illisibles")?.clone();
    let mut columns: Vec<Option<Field>> = Vec::new();
    let mut report = Report {
        dry_run: options.dry_run,
        ..Report::default()
    };
    for header in &headers {
        let mapped = options
            .mappings
            .iter()
            .find(|(name, _)| name.trim() == header.trim())
            .map(|(_, field)| *field)
            .or_else(|| field_for_header(header));
        if mapped.is_none() {
            report.unmapped_headers.push(header.to_owned());
        }
        columns.push(mapped.filter(|f| *f != Field::Ignore));
    }
    if !columns.contains(&Some(Field::Email)) {
        bail!("aucune colonne d’adresse électronique : nommez-la avec --map \"Colonne=courriel\"");
    }

    let mut tx = db::begin_write(&state.db).await?;
    let group = db::groups::by_slug(&mut tx, &options.group_slug)
        .await?
        .with_context(|| format!("groupe inconnu : {}", options.group_slug))?;
    let now = state.clock.unix();
    let mut seen = HashSet::new();
    for record in reader.records() {
        let record = record.context("ligne CSV illisible")?;
        // The line where the record starts in the file (cells may span lines).
        let line = record.position().map_or(0, |p| {
            text.as_bytes()[..p.byte() as usize]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64
                + 1
        });
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        report.rows += 1;
        let mut form = SignUpForm::default();
        let mut signed_up_at = None;
        for (cell, field) in record.iter().zip(&columns) {
            // A line break inside a cell is Airtable's long-text field: the form's
            // one-line fields read it as a space.
            let cell = &cell.replace(['\r', '\n'], " ");
            let cell = cell.as_str();
            match field {
                Some(Field::FirstName) => form.first_name = cell.into(),
                Some(Field::LastName) => form.last_name = cell.into(),
                Some(Field::Email) => form.email = cell.into(),
                Some(Field::Role) => form.role = role_value(cell),
                Some(Field::Function) => form.function = cell.into(),
                Some(Field::AuthorityKind) => form.authority_kind = authority_kind_value(cell),
                Some(Field::AuthorityName) => form.authority_name = cell.into(),
                Some(Field::AuthorityCode) => form.authority_code = cell.into(),
                Some(Field::Phone) => form.phone = cell.into(),
                Some(Field::SignedUpAt) => signed_up_at = parse_date(cell),
                Some(Field::Ignore) | None => {}
            }
        }
        let details = match form.parse(&state.referentiel) {
            Ok(details) => details,
            Err(errors) => {
                report
                    .rejected
                    .push((line, errors.0.into_iter().map(|(_, m)| m).collect()));
                continue;
            }
        };
        let email = details.email.as_str().to_owned();
        if !seen.insert(email.clone()) {
            report.duplicates.push((line, email));
            continue;
        }
        let Some(created) = registrations::insert_new(
            &mut tx,
            &[SignUpRow {
                group_ids: &[group.id],
                details: &details,
                now,
            }],
        )
        .await?
        .pop() else {
            report.duplicates.push((line, email));
            continue;
        };
        let signed_up_at = signed_up_at.unwrap_or(now);
        if options.confirmed {
            sqlx::query("UPDATE registrations SET state = 'confirmed', created_at = ?, confirmed_at = ? WHERE id = ?")
                .bind(signed_up_at)
                .bind(signed_up_at)
                .bind(created.id)
                .execute(&mut *tx)
                .await?;
        } else {
            // The sign-up date is kept; the unconfirmed-retention clock starts now,
            // with the email, not at the (older) Airtable date.
            let links = FreshLinks::new(state, now);
            let email_to_send = confirmation(
                &state.templates,
                "reconfirmation",
                &email,
                &links,
                vec![group.full_title()],
            );
            queue(
                state,
                &mut tx,
                &email_to_send,
                &links,
                created.registrant_id,
                &[created.id],
                now,
            )
            .await?;
        }
        report.imported += 1;
    }
    if options.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
        state.outbox_wake.notify_one();
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn airtable_dates() {
        let at = |s| parse_date(s).map(|t| time::OffsetDateTime::from_unix_timestamp(t).unwrap());
        assert_eq!(
            at("2021-11-03T14:22:05.000Z"),
            Some(datetime!(2021-11-03 14:22:05 UTC))
        );
        assert_eq!(
            at("2021/11/03 14:22"),
            Some(datetime!(2021-11-03 14:22 UTC))
        );
        assert_eq!(at("3/11/2021 14:22"), Some(datetime!(2021-11-03 14:22 UTC)));
        assert_eq!(
            at("11/23/2021 2:22pm"),
            Some(datetime!(2021-11-23 14:22 UTC))
        );
        assert_eq!(at("2021-11-03"), Some(datetime!(2021-11-03 00:00 UTC)));
        assert_eq!(at("hier"), None);
        assert_eq!(at(""), None);
    }

    #[test]
    fn headers_and_values_are_recognised_loosely() {
        assert_eq!(field_for_header("Adresse e-mail"), Some(Field::Email));
        assert_eq!(field_for_header(" Prénom "), Some(Field::FirstName));
        assert_eq!(
            field_for_header("Type de collectivité"),
            Some(Field::AuthorityKind)
        );
        assert_eq!(field_for_header("Couleur préférée"), None);
        assert_eq!(role_value("Élu·e"), "elected");
        assert_eq!(role_value("Agent territorial"), "agent");
        assert_eq!(authority_kind_value("Communauté de communes"), "epci");
        assert_eq!(authority_kind_value("Conseil départemental"), "departement");
        assert_eq!(authority_kind_value("Préfecture"), "autre");
    }
}
