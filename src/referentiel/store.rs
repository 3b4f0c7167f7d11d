//! Reading the reference authorities back from SQLite: every authority a registrant
//! may pick, with its département and région, to build the in-memory search index,
//! and the vintage in use.

use std::collections::HashMap;

use anyhow::{Context, Result};
use sqlx::{FromRow, SqlitePool};

use super::{AuthorityHit, AuthorityKind};

/// The import that the reference tables currently hold.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Vintage {
    pub package: String,
    pub version: String,
    /// Unix seconds, UTC.
    pub imported_at: i64,
}

/// The latest import, or `None` if the reference data was never imported (the
/// server imports it on first start then).
pub async fn current_vintage(pool: &SqlitePool) -> Result<Option<Vintage>> {
    sqlx::query_as(
        "SELECT package, version, imported_at FROM referentiel_imports
         ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await
    .context("reading the referentiel vintage")
}

#[derive(FromRow)]
struct AuthorityRow {
    kind: String,
    code: String,
    name: String,
    siren: Option<String>,
    departement_code: Option<String>,
    departement_name: Option<String>,
    region_code: Option<String>,
    region_name: Option<String>,
    population: Option<i64>,
}

/// Every authority a registrant may pick.
pub(super) async fn authorities(pool: &SqlitePool) -> Result<Vec<AuthorityHit>> {
    // The départements and régions of zone 'com' are left out: the data files each
    // collectivité d'outre-mer (Polynésie française, Saint-Martin…) as both, under
    // the same 3-digit code, and it is neither; its communes stay, and someone from
    // the collectivité itself picks "autre organisme public".
    let rows: Vec<AuthorityRow> = sqlx::query_as(
        "SELECT 'commune' AS kind, c.code, c.name, c.siren,
                c.departement_code, d.name AS departement_name,
                c.region_code, r.name AS region_name, c.population
         FROM referentiel_communes c
         JOIN referentiel_departements d ON d.code = c.departement_code
         JOIN referentiel_regions r ON r.code = c.region_code
         UNION ALL
         SELECT 'epci', e.code, e.name, e.code, e.departement_code, d.name,
                e.region_code, r.name, e.population
         FROM referentiel_epci e
         JOIN referentiel_departements d ON d.code = e.departement_code
         JOIN referentiel_regions r ON r.code = e.region_code
         UNION ALL
         SELECT 'departement', d.code, d.name, NULL, d.code, d.name,
                d.region_code, r.name, d.population
         FROM referentiel_departements d
         JOIN referentiel_regions r ON r.code = d.region_code
         WHERE d.zone <> 'com'
         UNION ALL
         SELECT 'region', r.code, r.name, NULL, NULL, NULL, r.code, r.name, r.population
         FROM referentiel_regions r
         WHERE r.zone <> 'com'",
    )
    .fetch_all(pool)
    .await
    .context("reading the reference authorities")?;

    let postcode_rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT commune_code, postcode FROM referentiel_commune_postcodes
         ORDER BY commune_code, postcode",
    )
    .fetch_all(pool)
    .await
    .context("reading the communes' postcodes")?;
    let mut postcodes: HashMap<String, Vec<String>> = HashMap::new();
    for (commune, postcode) in postcode_rows {
        postcodes.entry(commune).or_default().push(postcode);
    }

    rows.into_iter()
        .map(|row| {
            let kind = AuthorityKind::parse(&row.kind)
                .with_context(|| format!("unknown authority kind {:?}", row.kind))?;
            let postcodes = match kind {
                AuthorityKind::Commune => postcodes.remove(&row.code).unwrap_or_default(),
                _ => Vec::new(),
            };
            Ok(AuthorityHit {
                kind,
                code: row.code,
                name: row.name,
                siren: row.siren,
                departement_code: row.departement_code,
                departement_name: row.departement_name,
                region_code: row.region_code,
                region_name: row.region_name,
                population: row.population,
                postcodes,
            })
        })
        .collect()
}
