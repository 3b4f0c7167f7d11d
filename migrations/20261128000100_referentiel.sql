-- Reference data of French authorities (communes, EPCI and EPT, départements,
-- régions) from Etalab's npm package @etalab/decoupage-administratif, which
-- follows INSEE's Code officiel géographique (COG).
--
-- An import replaces every row of the referentiel_* tables but the import log, in
-- one transaction. No other table refers to them by foreign key: a registration
-- keeps the kind, code and name the registrant picked, so a newer vintage that
-- renames or merges communes never rewrites what people signed up with.

-- One row per import; the latest one is the vintage in use.
CREATE TABLE referentiel_imports (
    id           INTEGER PRIMARY KEY,
    package      TEXT    NOT NULL,  -- '@etalab/decoupage-administratif'
    version      TEXT    NOT NULL,  -- the package version, e.g. '6.0.0'
    imported_at  INTEGER NOT NULL,  -- Unix seconds, UTC
    communes     INTEGER NOT NULL,
    epci         INTEGER NOT NULL,  -- CC, CA, CU and métropoles
    ept          INTEGER NOT NULL,  -- établissements publics territoriaux of the Grand Paris
    departements INTEGER NOT NULL,
    regions      INTEGER NOT NULL
);

-- zone is 'metro', 'drom' or 'com' as the package says. The collectivités
-- d'outre-mer (zone 'com': Saint-Pierre-et-Miquelon, Polynésie française…) appear
-- in the data both as a région and as a département with the same 3-digit code.
CREATE TABLE referentiel_regions (
    code       TEXT    PRIMARY KEY,  -- INSEE code: '84'; '975'… for a COM
    name       TEXT    NOT NULL,
    zone       TEXT    NOT NULL,
    population INTEGER NOT NULL      -- sum of its communes' municipal population
) WITHOUT ROWID;

CREATE TABLE referentiel_departements (
    code        TEXT    PRIMARY KEY,  -- INSEE code: '42', '2A', '974'
    name        TEXT    NOT NULL,
    region_code TEXT    NOT NULL REFERENCES referentiel_regions (code),
    zone        TEXT    NOT NULL,
    population  INTEGER NOT NULL      -- sum of its communes' municipal population
) WITHOUT ROWID;

-- Current communes only (type 'commune-actuelle'): communes déléguées and
-- associées and the arrondissements of Paris, Lyon and Marseille are left out.
CREATE TABLE referentiel_communes (
    code             TEXT    PRIMARY KEY,  -- INSEE code: '42218', '2A004'
    name             TEXT    NOT NULL,
    siren            TEXT    UNIQUE,       -- NULL for the communes of the COM, which the data gives none
    departement_code TEXT    NOT NULL REFERENCES referentiel_departements (code),
    region_code      TEXT    NOT NULL REFERENCES referentiel_regions (code),
    zone             TEXT    NOT NULL,
    population       INTEGER               -- municipal population; NULL for the uninhabited TAAF and Clipperton
) WITHOUT ROWID;
CREATE INDEX referentiel_communes_departement ON referentiel_communes (departement_code);
CREATE INDEX referentiel_communes_region ON referentiel_communes (region_code);

CREATE TABLE referentiel_commune_postcodes (
    commune_code TEXT NOT NULL REFERENCES referentiel_communes (code) ON DELETE CASCADE,
    postcode     TEXT NOT NULL,
    PRIMARY KEY (commune_code, postcode)
) WITHOUT ROWID;
CREATE INDEX referentiel_commune_postcodes_postcode ON referentiel_commune_postcodes (postcode);

-- EPCI à fiscalité propre and EPT. The data gives no seat, so departement_code and
-- region_code are where most of the members' population lives.
CREATE TABLE referentiel_epci (
    code             TEXT    PRIMARY KEY,  -- SIREN
    name             TEXT    NOT NULL,
    type             TEXT    NOT NULL,     -- CC, CA, CU, METRO, MET69 or EPT
    financing        TEXT,                 -- modeFinancement (FPU, FA…); NULL for the EPT
    population       INTEGER NOT NULL,     -- municipal population
    departement_code TEXT    NOT NULL REFERENCES referentiel_departements (code),
    region_code      TEXT    NOT NULL REFERENCES referentiel_regions (code)
) WITHOUT ROWID;

-- A commune of the Grand Paris belongs both to its EPT and to the Métropole du Grand Paris.
CREATE TABLE referentiel_epci_members (
    epci_code    TEXT NOT NULL REFERENCES referentiel_epci (code) ON DELETE CASCADE,
    commune_code TEXT NOT NULL REFERENCES referentiel_communes (code) ON DELETE CASCADE,
    PRIMARY KEY (epci_code, commune_code)
) WITHOUT ROWID;
CREATE INDEX referentiel_epci_members_commune ON referentiel_epci_members (commune_code);
