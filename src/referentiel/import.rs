//! Loading Etalab's `@etalab/decoupage-administratif` data into the `referentiel_*`
//! tables: read and check the JSON files, derive what the data leaves out (the
//! population of départements and régions, the main département of an EPCI), then
//! replace the previous vintage in one transaction, so the site never sees half of one.

use std::{
    collections::{BTreeSet, HashMap},
    fmt,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail, ensure};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use sqlx::{SqliteConnection, SqlitePool};

/// What an import loaded, for the operator's terminal and the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The npm package name, as its package.json says.
    pub package: String,
    /// The package version, which fixes the COG year of the data.
    pub vintage: String,
    pub communes: u64,
    /// Communes of the collectivités d'outre-mer, which have no SIREN in the data.
    pub communes_without_siren: u64,
    /// (commune, postcode) pairs.
    pub postcodes: u64,
    pub epci: u64,
    pub ept: u64,
    /// (EPCI or EPT, commune) pairs.
    pub epci_members: u64,
    pub departements: u64,
    pub regions: u64,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} : {} communes (dont {} sans SIREN), {} codes postaux, {} EPCI, {} EPT \
             ({} adhésions), {} départements, {} régions",
            self.package,
            self.vintage,
            self.communes,
            self.communes_without_siren,
            self.postcodes,
            self.epci,
            self.ept,
            self.epci_members,
            self.departements,
            self.regions,
        )
    }
}

/// Replaces the reference authorities with those of the package at `dir`, which is
/// either the package's `data/` folder or the package folder itself; the version is
/// read from the package.json beside `data/`. Re-importing the same vintage gives the
/// same rows; tables outside `referentiel_*` are never touched.
pub async fn import(pool: &SqlitePool, dir: &Path) -> Result<ImportReport> {
    let dataset = read(dir).await?;
    // The files are read and checked before the write lock is taken. The transaction
    // only writes, so it takes the lock from its start (waiting the busy timeout if
    // another connection holds it), like the application's own writers.
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .context("starting the referentiel import")?;
    let report = dataset
        .replace(&mut tx)
        .await
        .context("writing the reference data")?;
    tx.commit()
        .await
        .context("committing the referentiel import")?;
    Ok(report)
}

/// [`import`] inside the caller's transaction, for a caller that takes the write
/// lock its own way; nothing is kept unless the caller commits. The files are read
/// (about a second's work) while the caller holds its transaction.
pub async fn import_into(conn: &mut SqliteConnection, dir: &Path) -> Result<ImportReport> {
    let dataset = read(dir).await?;
    dataset
        .replace(conn)
        .await
        .context("writing the reference data")
}

async fn read(dir: &Path) -> Result<Dataset> {
    let dir = dir.to_owned();
    // About 12 MB of JSON to parse and check: keep it off the async workers.
    tokio::task::spawn_blocking(move || Dataset::read(&dir))
        .await
        .context("reading the reference data panicked")?
}

// The shapes of the package's JSON files; fields we do not use are ignored.

#[derive(Deserialize)]
struct PackageJson {
    name: String,
    version: String,
}

#[derive(Deserialize)]
struct SourceRegion {
    code: String,
    nom: String,
    zone: String,
}

#[derive(Deserialize)]
struct SourceDepartement {
    code: String,
    nom: String,
    region: String,
    zone: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SourceCommune {
    code: String,
    nom: String,
    #[serde(rename = "type")]
    kind: String,
    departement: String,
    region: String,
    zone: String,
    siren: Option<String>,
    #[serde(default)]
    codes_postaux: Vec<String>,
    population: Option<i64>,
}

/// An entry of epci.json or ept.json.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SourceGrouping {
    code: String,
    nom: String,
    #[serde(rename = "type")]
    kind: String,
    mode_financement: Option<String>,
    population_municipale: Option<i64>,
    membres: Vec<SourceMember>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SourceMember {
    code: String,
    population_municipale: Option<i64>,
}

// The rows we write, serialised to one JSON array per table and inserted with
// `json_each`: one statement per table instead of 110,000 round trips.

#[derive(Serialize)]
struct RegionRow {
    code: String,
    name: String,
    zone: String,
    population: i64,
}

#[derive(Serialize)]
struct DepartementRow {
    code: String,
    name: String,
    region_code: String,
    zone: String,
    population: i64,
}

#[derive(Serialize)]
struct CommuneRow {
    code: String,
    name: String,
    siren: Option<String>,
    departement_code: String,
    region_code: String,
    zone: String,
    population: Option<i64>,
}

#[derive(Serialize)]
struct PostcodeRow<'a> {
    commune_code: &'a str,
    postcode: &'a str,
}

#[derive(Serialize)]
struct EpciRow {
    code: String,
    name: String,
    #[serde(rename = "type")]
    kind: String,
    financing: Option<String>,
    population: i64,
    departement_code: String,
    region_code: String,
    #[serde(skip)]
    members: BTreeSet<String>,
}

#[derive(Serialize)]
struct MemberRow<'a> {
    epci_code: &'a str,
    commune_code: &'a str,
}

/// The whole vintage, checked and ready to write.
struct Dataset {
    package: String,
    version: String,
    regions: Vec<RegionRow>,
    departements: Vec<DepartementRow>,
    communes: Vec<CommuneRow>,
    /// Postcodes per commune, in the order of `communes`.
    postcodes: Vec<BTreeSet<String>>,
    epci: Vec<EpciRow>,
    ept: Vec<EpciRow>,
}

impl Dataset {
    fn read(dir: &Path) -> Result<Self> {
        let data = if dir.join("data").join("communes.json").is_file() {
            dir.join("data")
        } else {
            dir.to_owned()
        };
        let package: PackageJson = read_json(&data.join("..").join("package.json"))?;
        ensure!(
            !package.version.trim().is_empty(),
            "the package.json beside {} has no version",
            data.display()
        );
        Self::check(
            package,
            read_json(&data.join("regions.json"))?,
            read_json(&data.join("departements.json"))?,
            read_json(&data.join("communes.json"))?,
            read_json(&data.join("epci.json"))?,
            read_json(&data.join("ept.json"))?,
        )
    }

    fn check(
        package: PackageJson,
        source_regions: Vec<SourceRegion>,
        source_departements: Vec<SourceDepartement>,
        source_communes: Vec<SourceCommune>,
        source_epci: Vec<SourceGrouping>,
        source_ept: Vec<SourceGrouping>,
    ) -> Result<Self> {
        let mut regions = Vec::new();
        let mut region_index = HashMap::new();
        for r in source_regions {
            ensure!(
                is_code(&r.code, 2..=3),
                "région {:?}: odd code {:?}",
                r.nom,
                r.code
            );
            ensure!(
                region_index.insert(r.code.clone(), regions.len()).is_none(),
                "région code {} appears twice",
                r.code
            );
            regions.push(RegionRow {
                code: r.code,
                name: r.nom,
                zone: r.zone,
                population: 0,
            });
        }

        let mut departements = Vec::new();
        let mut departement_index = HashMap::new();
        for d in source_departements {
            ensure!(
                is_code(&d.code, 2..=3),
                "département {:?}: odd code {:?}",
                d.nom,
                d.code
            );
            ensure!(
                region_index.contains_key(&d.region),
                "département {} is in unknown région {}",
                d.code,
                d.region
            );
            ensure!(
                departement_index
                    .insert(d.code.clone(), departements.len())
                    .is_none(),
                "département code {} appears twice",
                d.code
            );
            departements.push(DepartementRow {
                code: d.code,
                name: d.nom,
                region_code: d.region,
                zone: d.zone,
                population: 0,
            });
        }

        let mut communes = Vec::new();
        let mut postcodes = Vec::new();
        let mut commune_index = HashMap::new();
        // communes.json also lists communes déléguées and associées (which share their
        // code with their commune nouvelle) and the arrondissements of Paris, Lyon and
        // Marseille: none of them is an authority a registrant belongs to.
        for c in source_communes
            .into_iter()
            .filter(|c| c.kind == "commune-actuelle")
        {
            ensure!(
                is_code(&c.code, 5..=5),
                "commune {:?}: odd INSEE code {:?}",
                c.nom,
                c.code
            );
            let Some(&d) = departement_index.get(&c.departement) else {
                bail!(
                    "commune {} is in unknown département {}",
                    c.code,
                    c.departement
                );
            };
            let Some(&r) = region_index.get(&c.region) else {
                bail!("commune {} is in unknown région {}", c.code, c.region);
            };
            if let Some(siren) = &c.siren {
                ensure!(
                    is_digits(siren, 9),
                    "commune {}: odd SIREN {siren:?}",
                    c.code
                );
            }
            for postcode in &c.codes_postaux {
                ensure!(
                    is_digits(postcode, 5),
                    "commune {}: odd postcode {postcode:?}",
                    c.code
                );
            }
            ensure!(
                commune_index
                    .insert(c.code.clone(), communes.len())
                    .is_none(),
                "commune code {} appears twice",
                c.code
            );
            let population = c.population.unwrap_or(0);
            departements[d].population += population;
            regions[r].population += population;
            postcodes.push(c.codes_postaux.into_iter().collect());
            communes.push(CommuneRow {
                code: c.code,
                name: c.nom,
                siren: c.siren,
                departement_code: c.departement,
                region_code: c.region,
                zone: c.zone,
                population: c.population,
            });
        }

        let grouping =
            |g: SourceGrouping| -> Result<EpciRow> {
                ensure!(
                    is_digits(&g.code, 9),
                    "{} {:?}: odd SIREN {:?}",
                    g.kind,
                    g.nom,
                    g.code
                );
                // The data gives no seat: file the grouping under the département where
                // most of its members' population lives, so figures by territory can count it.
                let mut population_by_departement: HashMap<&str, i64> = HashMap::new();
                let mut members = BTreeSet::new();
                for m in &g.membres {
                    let Some(&c) = commune_index.get(&m.code) else {
                        bail!(
                            "{} {} lists {}, which is not a current commune",
                            g.kind,
                            g.code,
                            m.code
                        );
                    };
                    let commune = &communes[c];
                    let population = m.population_municipale.or(commune.population).unwrap_or(0);
                    *population_by_departement
                        .entry(&commune.departement_code)
                        .or_default() += population;
                    members.insert(m.code.clone());
                }
                let Some((departement, _)) = population_by_departement.into_iter().max_by(
                    |(a_code, a_pop), (b_code, b_pop)| {
                        // On a tie, the smaller code, so that two imports agree.
                        a_pop.cmp(b_pop).then(b_code.cmp(a_code))
                    },
                ) else {
                    bail!("{} {} has no members", g.kind, g.code);
                };
                let departement = &departements[departement_index[departement]];
                Ok(EpciRow {
                    population: g.population_municipale.unwrap_or_else(|| {
                        g.membres
                            .iter()
                            .filter_map(|m| m.population_municipale)
                            .sum()
                    }),
                    departement_code: departement.code.clone(),
                    region_code: departement.region_code.clone(),
                    code: g.code,
                    name: g.nom,
                    kind: g.kind,
                    financing: g.mode_financement.filter(|m| !m.is_empty()),
                    members,
                })
            };
        let epci = source_epci
            .into_iter()
            .map(&grouping)
            .collect::<Result<Vec<_>>>()?;
        let ept = source_ept
            .into_iter()
            .map(&grouping)
            .collect::<Result<Vec<_>>>()?;

        Ok(Self {
            package: package.name,
            version: package.version.trim().to_owned(),
            regions,
            departements,
            communes,
            postcodes,
            epci,
            ept,
        })
    }

    /// Deletes the previous vintage and writes this one, inside the caller's transaction.
    async fn replace(&self, tx: &mut SqliteConnection) -> Result<ImportReport> {
        // Children first: the foreign keys between these tables are checked per statement.
        for delete in [
            "DELETE FROM referentiel_epci_members",
            "DELETE FROM referentiel_commune_postcodes",
            "DELETE FROM referentiel_epci",
            "DELETE FROM referentiel_communes",
            "DELETE FROM referentiel_departements",
            "DELETE FROM referentiel_regions",
        ] {
            sqlx::query(delete).execute(&mut *tx).await?;
        }

        let regions = insert_json(
            tx,
            "INSERT INTO referentiel_regions (code, name, zone, population)
             SELECT value ->> 'code', value ->> 'name', value ->> 'zone', value ->> 'population'
             FROM json_each(?1)",
            &self.regions,
        )
        .await?;
        let departements = insert_json(
            tx,
            "INSERT INTO referentiel_departements (code, name, region_code, zone, population)
             SELECT value ->> 'code', value ->> 'name', value ->> 'region_code',
                    value ->> 'zone', value ->> 'population'
             FROM json_each(?1)",
            &self.departements,
        )
        .await?;
        let communes = insert_json(
            tx,
            "INSERT INTO referentiel_communes
                 (code, name, siren, departement_code, region_code, zone, population)
             SELECT value ->> 'code', value ->> 'name', value ->> 'siren',
                    value ->> 'departement_code', value ->> 'region_code',
                    value ->> 'zone', value ->> 'population'
             FROM json_each(?1)",
            &self.communes,
        )
        .await?;
        let postcode_rows: Vec<PostcodeRow> = self
            .communes
            .iter()
            .zip(&self.postcodes)
            .flat_map(|(commune, postcodes)| {
                postcodes.iter().map(|postcode| PostcodeRow {
                    commune_code: &commune.code,
                    postcode,
                })
            })
            .collect();
        let postcodes = insert_json(
            tx,
            "INSERT INTO referentiel_commune_postcodes (commune_code, postcode)
             SELECT value ->> 'commune_code', value ->> 'postcode' FROM json_each(?1)",
            &postcode_rows,
        )
        .await?;

        const INSERT_EPCI: &str = "INSERT INTO referentiel_epci
                 (code, name, type, financing, population, departement_code, region_code)
             SELECT value ->> 'code', value ->> 'name', value ->> 'type', value ->> 'financing',
                    value ->> 'population', value ->> 'departement_code', value ->> 'region_code'
             FROM json_each(?1)";
        let epci = insert_json(tx, INSERT_EPCI, &self.epci).await?;
        let ept = insert_json(tx, INSERT_EPCI, &self.ept).await?;
        let member_rows: Vec<MemberRow> = self
            .epci
            .iter()
            .chain(&self.ept)
            .flat_map(|grouping| {
                grouping.members.iter().map(|commune| MemberRow {
                    epci_code: &grouping.code,
                    commune_code: commune,
                })
            })
            .collect();
        let epci_members = insert_json(
            tx,
            "INSERT INTO referentiel_epci_members (epci_code, commune_code)
             SELECT value ->> 'epci_code', value ->> 'commune_code' FROM json_each(?1)",
            &member_rows,
        )
        .await?;

        let report = ImportReport {
            package: self.package.clone(),
            vintage: self.version.clone(),
            communes,
            communes_without_siren: self.communes.iter().filter(|c| c.siren.is_none()).count()
                as u64,
            postcodes,
            epci,
            ept,
            epci_members,
            departements,
            regions,
        };
        sqlx::query(
            "INSERT INTO referentiel_imports
                 (package, version, imported_at, communes, epci, ept, departements, regions)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(&report.package)
        .bind(&report.vintage)
        .bind(time::OffsetDateTime::now_utc().unix_timestamp())
        .bind(report.communes as i64)
        .bind(report.epci as i64)
        .bind(report.ept as i64)
        .bind(report.departements as i64)
        .bind(report.regions as i64)
        .execute(&mut *tx)
        .await?;
        Ok(report)
    }
}

/// Inserts `rows` with one statement that reads them from a JSON array bound as ?1.
async fn insert_json<T: Serialize>(
    tx: &mut SqliteConnection,
    sql: &'static str,
    rows: &[T],
) -> Result<u64> {
    let json = serde_json::to_string(rows)?;
    let done = sqlx::query(sql).bind(json).execute(&mut *tx).await?;
    Ok(done.rows_affected())
}

fn read_json<T: DeserializeOwned>(path: &PathBuf) -> Result<T> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", path.display()))
}

fn is_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// An INSEE code: digits, or Corsica's 2A/2B followed by digits.
fn is_code(s: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&s.len())
        && (s.bytes().all(|b| b.is_ascii_digit())
            || ((s.starts_with("2A") || s.starts_with("2B"))
                && s.bytes().skip(2).all(|b| b.is_ascii_digit())))
}
