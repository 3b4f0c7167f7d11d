//! The reference authorities from the real `@etalab/decoupage-administratif` package:
//! imported into a fresh SQLite file, re-imported, replaced by another vintage, and
//! searched the way a registrant types.

use std::{
    path::{Path, PathBuf},
    sync::OnceLock,
    time::Instant,
};

use inscriptions::referentiel::{self, AuthorityKind, ImportReport, Referentiel};
use serde_json::{Value, json};
use sqlx::{
    SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions},
};
use tempfile::TempDir;

fn package_data() -> PathBuf {
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("node_modules/@etalab/decoupage-administratif/data");
    assert!(
        data.join("communes.json").is_file(),
        "{} is missing: run `npm ci` first",
        data.display()
    );
    data
}

fn package_version() -> String {
    let package: Value =
        serde_json::from_slice(&std::fs::read(package_data().join("../package.json")).unwrap())
            .unwrap();
    package["version"].as_str().unwrap().to_owned()
}

/// A pool on the SQLite file at `path`, created and migrated if new.
async fn database(path: &Path) -> SqlitePool {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    let pool = SqlitePoolOptions::new()
        .connect_with(options)
        .await
        .unwrap();
    sqlx::migrate!().run(&pool).await.unwrap();
    pool
}

struct Imported {
    _dir: TempDir,
    path: PathBuf,
    report: ImportReport,
    referentiel: Referentiel,
}

/// The real data, imported once per test binary into a temporary file. A pool belongs
/// to the runtime that made it, so the import runs on its own thread and runtime, and
/// each test opens its own pool on the file.
fn imported() -> &'static Imported {
    static IMPORTED: OnceLock<Imported> = OnceLock::new();
    IMPORTED.get_or_init(|| {
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let dir = TempDir::new().unwrap();
                let path = dir.path().join("referentiel.db");
                let pool = database(&path).await;
                let report = referentiel::import(&pool, &package_data()).await.unwrap();
                let referentiel = Referentiel::load(&pool).await.unwrap();
                pool.close().await;
                Imported {
                    _dir: dir,
                    path,
                    report,
                    referentiel,
                }
            })
        })
        .join()
        .unwrap()
    })
}

#[test]
fn import_loads_every_kind_of_authority() {
    let report = &imported().report;
    assert_eq!(report.package, "@etalab/decoupage-administratif");
    assert_eq!(report.vintage, package_version());
    let expected = [
        ("communes", report.communes, 34_000..=36_000),
        (
            "communes without SIREN",
            report.communes_without_siren,
            50..=150,
        ),
        ("postcodes", report.postcodes, 35_000..=40_000),
        ("EPCI", report.epci, 1_200..=1_300),
        ("EPT", report.ept, 11..=11),
        ("EPCI and EPT members", report.epci_members, 34_000..=36_000),
        ("départements", report.departements, 101..=120),
        ("régions", report.regions, 18..=30),
    ];
    for (what, count, range) in expected {
        assert!(range.contains(&count), "{what}: {count} not in {range:?}");
    }
    assert!(report.to_string().contains("communes"), "{report}");
    // The index holds every commune, EPCI and EPT, and every département and région
    // but the 8 collectivités d'outre-mer that the data lists as both.
    let referentiel = &imported().referentiel;
    let total =
        report.communes + report.epci + report.ept + report.departements + report.regions - 16;
    assert_eq!(referentiel.len() as u64, total);
    assert_eq!(referentiel.vintage().unwrap().version, report.vintage);
}

#[tokio::test]
async fn a_commune_has_its_siren_postcodes_and_territory() {
    let pool = database(&imported().path).await;
    let (name, siren, departement, region): (String, Option<String>, String, String) =
        sqlx::query_as(
            "SELECT name, siren, departement_code, region_code
             FROM referentiel_communes WHERE code = '42218'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        (
            name.as_str(),
            siren.as_deref(),
            departement.as_str(),
            region.as_str()
        ),
        ("Saint-Étienne", Some("214202186"), "42", "84")
    );
    let postcodes: Vec<String> = sqlx::query_scalar(
        "SELECT postcode FROM referentiel_commune_postcodes
         WHERE commune_code = '42218' ORDER BY postcode",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(postcodes, ["42000", "42100", "42230"]);

    let hit = imported()
        .referentiel
        .get(AuthorityKind::Commune, "42218")
        .unwrap();
    assert_eq!(hit.description(), "Saint-Étienne — commune, Loire (42)");
    assert_eq!(hit.region_name.as_deref(), Some("Auvergne-Rhône-Alpes"));
    assert_eq!(hit.postcodes, ["42000", "42100", "42230"]);
}

#[tokio::test]
async fn only_current_communes_are_imported() {
    let pool = database(&imported().path).await;
    // 01015 is both the commune nouvelle Arboys en Bugey and its commune déléguée
    // Arbignieu; 13201 is an arrondissement of Marseille.
    let name: String =
        sqlx::query_scalar("SELECT name FROM referentiel_communes WHERE code = '01015'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(name, "Arboys en Bugey");
    let arrondissements: i64 =
        sqlx::query_scalar("SELECT count(*) FROM referentiel_communes WHERE code = '13201'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(arrondissements, 0);
}

#[tokio::test]
async fn an_epci_lists_its_members() {
    let pool = database(&imported().path).await;
    let (name, kind, departement): (String, String, String) = sqlx::query_as(
        "SELECT name, type, departement_code FROM referentiel_epci WHERE code = '244200770'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (name.as_str(), kind.as_str(), departement.as_str()),
        ("Saint-Étienne Métropole", "METRO", "42")
    );
    let members: Vec<String> = sqlx::query_scalar(
        "SELECT commune_code FROM referentiel_epci_members
         WHERE epci_code = '244200770' ORDER BY commune_code",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(members.len(), 53);
    assert!(members.contains(&"42218".to_owned()));

    // Saint-Denis (93) belongs to its EPT, Plaine Commune, and to the Métropole du
    // Grand Paris; ept.json lists it without its SIREN, the commune has one.
    let groupings: Vec<(String, String)> = sqlx::query_as(
        "SELECT e.code, e.type FROM referentiel_epci_members m
         JOIN referentiel_epci e ON e.code = m.epci_code
         WHERE m.commune_code = '93066' ORDER BY e.code",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        groupings,
        [
            ("200054781".to_owned(), "METRO".to_owned()),
            ("200057867".to_owned(), "EPT".to_owned())
        ]
    );
    let hit = imported()
        .referentiel
        .get(AuthorityKind::Epci, "200057867")
        .unwrap();
    assert_eq!(
        hit.description(),
        "Plaine Commune — EPCI, Seine-Saint-Denis (93)"
    );
}

#[tokio::test]
async fn communes_of_the_collectivites_d_outre_mer_have_no_siren() {
    let pool = database(&imported().path).await;
    let (siren, departement): (Option<String>, String) = sqlx::query_as(
        "SELECT siren, departement_code FROM referentiel_communes WHERE code = '98735'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((siren, departement.as_str()), (None, "987"));

    let papeete = &imported().referentiel.search("papeete", 1)[0];
    assert_eq!(
        (papeete.code.as_str(), papeete.siren.as_deref()),
        ("98735", None)
    );
    assert_eq!(
        papeete.description(),
        "Papeete — commune, Polynésie française (987)"
    );
    // The uninhabited Kerguelen have neither population nor postcode.
    let kerguelen = imported()
        .referentiel
        .get(AuthorityKind::Commune, "98412")
        .unwrap();
    assert_eq!((kerguelen.population, kerguelen.postcodes.len()), (None, 0));
}

/// Every row of the reference tables, in a stable order.
async fn reference_rows(pool: &SqlitePool) -> Vec<String> {
    let mut rows = Vec::new();
    for sql in [
        "SELECT json_group_array(json_array(code, name, zone, population))
         FROM (SELECT * FROM referentiel_regions ORDER BY code)",
        "SELECT json_group_array(json_array(code, name, region_code, zone, population))
         FROM (SELECT * FROM referentiel_departements ORDER BY code)",
        "SELECT json_group_array(json_array(code, name, siren, departement_code, region_code,
                                            zone, population))
         FROM (SELECT * FROM referentiel_communes ORDER BY code)",
        "SELECT json_group_array(json_array(commune_code, postcode))
         FROM (SELECT * FROM referentiel_commune_postcodes ORDER BY commune_code, postcode)",
        "SELECT json_group_array(json_array(code, name, type, financing, population,
                                            departement_code, region_code))
         FROM (SELECT * FROM referentiel_epci ORDER BY code)",
        "SELECT json_group_array(json_array(epci_code, commune_code))
         FROM (SELECT * FROM referentiel_epci_members ORDER BY epci_code, commune_code)",
    ] {
        rows.push(sqlx::query_scalar(sql).fetch_one(pool).await.unwrap());
    }
    rows
}

#[tokio::test]
async fn importing_again_gives_the_same_rows() {
    let dir = TempDir::new().unwrap();
    let pool = database(&dir.path().join("again.db")).await;
    let first = referentiel::import(&pool, &package_data()).await.unwrap();
    let rows = reference_rows(&pool).await;

    // The package folder itself is accepted too, as `--from node_modules/…` would give.
    let second = referentiel::import(&pool, &package_data().join(".."))
        .await
        .unwrap();

    assert_eq!(first, second);
    assert_eq!(first, imported().report);
    assert!(reference_rows(&pool).await == rows, "rows changed");
    let imports: i64 = sqlx::query_scalar("SELECT count(*) FROM referentiel_imports")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(imports, 2, "each import is logged");
}

/// A newer vintage cut from the real one: only the Loire, Saint-Étienne renamed.
fn write_loire_vintage(dir: &Path) {
    let read = |file: &str| -> Value {
        serde_json::from_slice(&std::fs::read(package_data().join(file)).unwrap()).unwrap()
    };
    let write = |file: &str, value: Value| {
        std::fs::write(dir.join("data").join(file), value.to_string()).unwrap();
    };
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(
        dir.join("package.json"),
        json!({"name": "@etalab/decoupage-administratif", "version": "99.0.0"}).to_string(),
    )
    .unwrap();
    write("regions.json", read("regions.json"));
    write("departements.json", read("departements.json"));
    let mut communes: Vec<Value> = read("communes.json")
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["departement"] == "42")
        .cloned()
        .collect();
    for commune in &mut communes {
        if commune["code"] == "42218" && commune["type"] == "commune-actuelle" {
            commune["nom"] = json!("Saint-Étienne-en-Forez");
        }
    }
    write("communes.json", Value::Array(communes));
    let epci: Vec<Value> = read("epci.json")
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["membres"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["code"].as_str().unwrap().starts_with("42"))
        })
        .cloned()
        .collect();
    write("epci.json", Value::Array(epci));
    write("ept.json", json!([]));
}

#[tokio::test]
async fn a_newer_vintage_replaces_the_reference_rows_only() {
    let dir = TempDir::new().unwrap();
    let pool = database(&dir.path().join("vintages.db")).await;
    // Stands for the core's tables: a registration keeps the code it was given.
    sqlx::query("CREATE TABLE kept (authority_code TEXT NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO kept VALUES ('75056')")
        .execute(&pool)
        .await
        .unwrap();
    referentiel::import(&pool, &package_data()).await.unwrap();

    let newer = dir.path().join("decoupage-administratif");
    write_loire_vintage(&newer);
    let report = referentiel::import(&pool, &newer.join("data"))
        .await
        .unwrap();

    assert_eq!(report.vintage, "99.0.0");
    assert!((300..400).contains(&report.communes), "{report}");
    assert_eq!((report.ept, report.communes_without_siren), (0, 0));
    let vintage = referentiel::current_vintage(&pool).await.unwrap().unwrap();
    assert_eq!(vintage.version, "99.0.0");
    let referentiel = Referentiel::load(&pool).await.unwrap();
    assert_eq!(
        referentiel
            .get(AuthorityKind::Commune, "42218")
            .unwrap()
            .name,
        "Saint-Étienne-en-Forez"
    );
    assert!(referentiel.get(AuthorityKind::Commune, "75056").is_none());
    let kept: String = sqlx::query_scalar("SELECT authority_code FROM kept")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(kept, "75056");
}

#[tokio::test]
async fn nothing_imported_gives_an_empty_index() {
    let dir = TempDir::new().unwrap();
    let pool = database(&dir.path().join("empty.db")).await;
    // An import inside the caller's transaction is kept only if the caller commits.
    let mut tx = pool.begin().await.unwrap();
    let report = referentiel::import_into(&mut tx, &package_data())
        .await
        .unwrap();
    assert_eq!(report, imported().report);
    tx.rollback().await.unwrap();

    assert_eq!(referentiel::current_vintage(&pool).await.unwrap(), None);
    let referentiel = Referentiel::load(&pool).await.unwrap();
    assert!(referentiel.is_empty());
    assert!(referentiel.search("paris", 10).is_empty());
}

#[tokio::test]
async fn a_missing_folder_is_a_clear_error() {
    let dir = TempDir::new().unwrap();
    let pool = database(&dir.path().join("missing.db")).await;
    let error = referentiel::import(&pool, &dir.path().join("nowhere"))
        .await
        .unwrap_err();
    assert!(format!("{error:#}").contains("package.json"), "{error:#}");
}

/// What a search case expects of its first hit.
enum Expect {
    First(AuthorityKind, &'static str),
    Nothing,
}
use Expect::Nothing;

fn commune(code: &'static str) -> Expect {
    Expect::First(AuthorityKind::Commune, code)
}
fn epci(code: &'static str) -> Expect {
    Expect::First(AuthorityKind::Epci, code)
}
fn departement(code: &'static str) -> Expect {
    Expect::First(AuthorityKind::Departement, code)
}
fn region(code: &'static str) -> Expect {
    Expect::First(AuthorityKind::Region, code)
}

#[test]
fn search_finds_what_registrants_type() {
    let long = "saint ".repeat(20);
    #[rustfmt::skip]
    let cases: &[(&str, &str, Expect)] = &[
        ("exact name",                        "Saint-Étienne",        commune("42218")),
        ("no accents, no hyphen",             "saint etienne",        commune("42218")),
        ("capitals",                          "SAINT ETIENNE",        commune("42218")),
        ("words run together",                "saintetienne",         commune("42218")),
        ("St for Saint",                      "st etienne",           commune("42218")),
        ("St- with accents",                  "St-Étienne",           commune("42218")),
        ("Ste for Sainte, largest first",     "ste marie",            commune("97418")),
        ("Sainte-Marie homonyms",             "sainte-marie",         commune("97418")),
        ("Ste alone is Sainte",               "ste",                  commune("97418")),
        ("St being typed: Saint… or Stras…",  "st",                   epci("244200770")),
        ("apostrophe",                        "l'hay",                commune("94038")),
        ("no apostrophe",                     "lhay",                 commune("94038")),
        ("typographic apostrophe, ÿ",         "L’Haÿ-les-Roses",      commune("94038")),
        ("apostrophe as a space",             "l hay les roses",      commune("94038")),
        ("five Saint-Martin, largest first",  "saint martin",         commune("97801")),
        ("two large Saint-Denis",             "saint-denis",          commune("97411")),
        ("commune before its département",    "paris",                commune("75056")),
        ("commune before its métropole",      "lyon",                 commune("69123")),
        ("prefix",                            "stras",                commune("67482")),
        ("article",                           "le havre",             commune("76351")),
        ("grave accent",                      "eze",                  commune("06059")),
        ("ligature",                          "coeuvres",             commune("02201")),
        ("parentheses",                       "chateau chinon",       commune("58062")),
        ("COM commune without SIREN",         "bora bora",            commune("98714")),
        ("département by name",               "loire",                departement("42")),
        ("région before homonym communes",    "bretagne",             region("53")),
        ("EPCI by name",                      "metropole du grand paris", epci("200054781")),
        ("EPT by name",                       "plaine commune",       epci("200057867")),
        ("EPCI by words of its name",         "coeur de sologne",     epci("200000800")),
        ("postcode",                          "42000",                commune("42218")),
        ("postcode of 10 communes",           "01400",                commune("01093")),
        ("postcode with a space",             "42 000",               commune("42218")),
        ("INSEE code",                        "75056",                commune("75056")),
        ("Corsican INSEE code",               "2A004",                commune("2A004")),
        ("Corsican INSEE code, lower case",   "2b033",                commune("2B033")),
        ("commune SIREN",                     "217500016",            commune("75056")),
        ("SIREN of a merged commune",         "929939411",            commune("93066")),
        ("EPCI SIREN",                        "244200770",            epci("244200770")),
        ("SIREN with spaces",                 "244 200 770",          epci("244200770")),
        ("SIRET",                             "21750001600019",       commune("75056")),
        ("département code",                  "42",                   departement("42")),
        ("Corsican département code",         "2B",                   departement("2B")),
        ("overseas département code",         "974",                  departement("974")),
        ("code of a département and a région", "84",                  departement("84")),
        ("unknown SIREN",                     "123456789",            Nothing),
        ("digits that are no code",           "1234567",              Nothing),
        ("empty",                             "",                     Nothing),
        ("whitespace",                        "  \t ",                Nothing),
        ("over-long",                         &long,                  Nothing),
        ("percent alone",                     "%",                    Nothing),
        ("underscore alone",                  "_",                    Nothing),
        ("LIKE wildcards",                    "%%__",                 Nothing),
        ("% is no wildcard",                  "sa%nt etienne",        Nothing),
        ("_ is no wildcard",                  "s_int-etienne",        Nothing),
        ("_ between words",                   "saint_etienne",        commune("42218")),
        ("nothing like it",                   "zzzzqqq",              Nothing),
    ];
    assert!(cases.len() >= 25);
    let referentiel = &imported().referentiel;
    let mut failures = Vec::new();
    for (case, query, expect) in cases {
        let hits = referentiel.search(query, 10);
        let got = hits.first().map(|h| (h.kind, h.code.as_str()));
        let ok = match expect {
            Expect::First(kind, code) => got == Some((*kind, *code)),
            Nothing => hits.is_empty(),
        };
        if !ok {
            let seen: Vec<String> = hits.iter().take(3).map(|h| h.description()).collect();
            failures.push(format!("{case} ({query:?}): got {seen:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "failing cases:\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_shared_postcode_lists_its_communes_by_population() {
    let hits = imported().referentiel.search("01400", 20);
    let codes: Vec<&str> = hits.iter().map(|h| h.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "01093", "01272", "01084", "01001", "01113", "01328", "01412", "01393", "01146",
            "01356", // and the commune whose INSEE code is 01400
            "01400"
        ]
    );
    assert!(
        hits[..10]
            .iter()
            .all(|h| h.postcodes.contains(&"01400".to_owned()))
    );
}

#[test]
fn homonyms_come_largest_first_with_their_departement() {
    let hits = imported().referentiel.search("saint-martin", 5);
    let described: Vec<String> = hits.iter().map(|h| h.description()).collect();
    assert_eq!(
        described,
        [
            "Saint-Martin — commune, Saint-Martin (978)",
            "Saint-Martin — commune, Hautes-Pyrénées (65)",
            "Saint-Martin — commune, Gers (32)",
            "Saint-Martin — commune, Bas-Rhin (67)",
            "Saint-Martin — commune, Meurthe-et-Moselle (54)",
        ]
    );
}

#[test]
fn a_search_serialises_for_the_autocomplete() {
    let hits = imported().referentiel.search("saint etienne", 1);
    let json = serde_json::to_value(&hits).unwrap();
    assert_eq!(json[0]["kind"], "commune");
    assert_eq!(json[0]["code"], "42218");
    assert_eq!(
        json[0]["description"],
        "Saint-Étienne — commune, Loire (42)"
    );
}

/// Not an assertion: prints the mean time per search over a mix of queries.
/// `cargo test --test referentiel -- --ignored --nocapture search_latency`
#[test]
#[ignore = "timing, run by hand"]
fn search_latency() {
    let start = Instant::now();
    let referentiel = &imported().referentiel;
    println!("import and index: {:.2} s", start.elapsed().as_secs_f64());
    println!("{}", imported().report);
    let path = imported().path.clone();
    let load = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let pool = database(&path).await;
            let start = Instant::now();
            Referentiel::load(&pool).await.unwrap();
            start.elapsed()
        })
    });
    println!(
        "Referentiel::load: {:.2} s",
        load.join().unwrap().as_secs_f64()
    );
    let queries = [
        "s",
        "sa",
        "saint",
        "saint e",
        "saint etienne",
        "st etienne",
        "l'hay",
        "paris",
        "lyon",
        "mars",
        "tienne",
        "ville",
        "sur",
        "bretagne",
        "42000",
        "01400",
        "75056",
        "244200770",
        "84",
        "zzzz",
        "le",
        "la",
        "ch",
        "montp",
        "metropole",
    ];
    for query in queries {
        let rounds = 2_000;
        let start = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(referentiel.search(std::hint::black_box(query), 10));
        }
        let micros = start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
        println!("{query:>16}: {micros:8.1} µs");
    }
}
