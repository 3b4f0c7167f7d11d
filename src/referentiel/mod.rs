//! The official list of French authorities (collectivités): communes, EPCI and EPT,
//! départements and régions, imported from Etalab's `@etalab/decoupage-administratif`
//! into SQLite ([`import`]) and searched in memory ([`Referentiel`]) so a registrant
//! picks their authority instead of typing it, and we store its official code.

mod import;
mod normalize;
mod search;
mod store;

use serde::Serialize;

pub use import::{ImportReport, import, import_into};
pub use search::{MAX_LIMIT, MAX_QUERY_CHARS, Referentiel};
pub use store::{Vintage, current_vintage};

/// The kinds of authority are the domain's: one enum from the form to the export.
pub use crate::domain::AuthorityKind;

/// One authority of the reference data, as the search returns it: what a
/// registration copies at sign-up (kind, code, name, département, région).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityHit {
    pub kind: AuthorityKind,
    /// The official code: INSEE for a commune, département or région, SIREN for an
    /// EPCI or an EPT (which this module files as EPCI).
    pub code: String,
    pub name: String,
    /// The SIREN: a commune's own one (none for the communes of the collectivités
    /// d'outre-mer), or the code itself for an EPCI.
    pub siren: Option<String>,
    /// The département it lies in: itself for a département, the one holding most of
    /// the population for an EPCI, none for a région.
    pub departement_code: Option<String>,
    pub departement_name: Option<String>,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    /// Municipal population (summed over the communes for an EPCI, a département or
    /// a région); none where INSEE counts nobody.
    pub population: Option<i64>,
    /// Postcodes of a commune; empty for the other kinds.
    pub postcodes: Vec<String>,
}

impl AuthorityHit {
    /// How a hit reads in a list of choices: "Saint-Étienne — commune, Loire (42)".
    pub fn description(&self) -> String {
        let name = &self.name;
        let label = self.kind.noun();
        match self.kind {
            AuthorityKind::Commune | AuthorityKind::Epci => {
                match (&self.departement_name, &self.departement_code) {
                    (Some(departement), Some(code)) => {
                        format!("{name} — {label}, {departement} ({code})")
                    }
                    _ => format!("{name} — {label}"),
                }
            }
            AuthorityKind::Departement => format!("{name} — {label} ({})", self.code),
            AuthorityKind::Region | AuthorityKind::Other => format!("{name} — {label}"),
        }
    }
}

/// The JSON of a hit carries its description and the label of its kind, so the
/// autocomplete script shows the same words as the server-rendered list.
impl Serialize for AuthorityHit {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            kind: AuthorityKind,
            kind_label: &'static str,
            code: &'a str,
            name: &'a str,
            siren: Option<&'a str>,
            departement_code: Option<&'a str>,
            departement_name: Option<&'a str>,
            region_code: Option<&'a str>,
            region_name: Option<&'a str>,
            population: Option<i64>,
            postcodes: &'a [String],
            description: String,
        }
        Json {
            kind: self.kind,
            kind_label: self.kind.noun(),
            code: &self.code,
            name: &self.name,
            siren: self.siren.as_deref(),
            departement_code: self.departement_code.as_deref(),
            departement_name: self.departement_name.as_deref(),
            region_code: self.region_code.as_deref(),
            region_name: self.region_name.as_deref(),
            population: self.population,
            postcodes: &self.postcodes,
            description: self.description(),
        }
        .serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(kind: AuthorityKind, code: &str, name: &str) -> AuthorityHit {
        AuthorityHit {
            kind,
            code: code.into(),
            name: name.into(),
            siren: None,
            departement_code: None,
            departement_name: None,
            region_code: None,
            region_name: None,
            population: None,
            postcodes: Vec::new(),
        }
    }

    #[test]
    fn kinds_round_trip_through_their_stored_form() {
        for kind in AuthorityKind::ALL {
            assert_eq!(AuthorityKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::from(kind.as_str())
            );
        }
        assert_eq!(AuthorityKind::parse("Commune"), None);
    }

    #[test]
    fn descriptions_say_kind_and_departement() {
        let mut commune = hit(AuthorityKind::Commune, "42218", "Saint-Étienne");
        commune.departement_code = Some("42".into());
        commune.departement_name = Some("Loire".into());
        assert_eq!(commune.description(), "Saint-Étienne — commune, Loire (42)");
        assert_eq!(
            hit(AuthorityKind::Departement, "2A", "Corse-du-Sud").description(),
            "Corse-du-Sud — département (2A)"
        );
        assert_eq!(
            hit(AuthorityKind::Region, "84", "Auvergne-Rhône-Alpes").description(),
            "Auvergne-Rhône-Alpes — région"
        );
        assert_eq!(
            hit(AuthorityKind::Epci, "200054781", "Métropole du Grand Paris").description(),
            "Métropole du Grand Paris — EPCI"
        );
    }

    #[test]
    fn json_carries_the_description() {
        let json =
            serde_json::to_value(hit(AuthorityKind::Region, "84", "Auvergne-Rhône-Alpes")).unwrap();
        assert_eq!(json["kind"], "region");
        assert_eq!(json["kind_label"], "région");
        assert_eq!(json["description"], "Auvergne-Rhône-Alpes — région");
    }
}
