#!/usr/bin/env bash
# make bench: builds in release mode, starts the server on a fresh database, loads
# it from a second process on loopback (wrk), and prints a table in which every
# figure is a ratio against a reference measured in the same run, with the
# absolute numbers for context. Nothing here is a pass/fail test: the machines are
# shared and noisy, so figures are recorded in the README, not asserted.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${BENCH_SECONDS:-10}
ROOT=$(pwd)

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "Installation de $2 (Debian)…"
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$2"
  fi
}
need wrk wrk
need sqlite3 sqlite3
need curl curl

cargo build --release --quiet --bin inscriptions --example storage_ceiling
BIN=$ROOT/target/release/inscriptions
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_server NAME DB [ENV=VALUE…]: sets SERVER_PID and SERVER_URL.
start_server() {
  local name=$1 db=$2; shift 2
  env INSCRIPTIONS__SERVER__BIND=127.0.0.1:0 \
      INSCRIPTIONS__SERVER__SECRET=bench-secret-bench-secret-bench-secret \
      INSCRIPTIONS__SERVER__DSFR_DIR="$ROOT/node_modules/@gouvfr/dsfr/dist" \
      INSCRIPTIONS__SERVER__STATIC_DIR="$ROOT/static" \
      INSCRIPTIONS__MAIL__TEMPLATES_DIR="$ROOT/templates" \
      INSCRIPTIONS__MAIL__FILE_DIR="$WORK/emails" \
      INSCRIPTIONS__DATABASE__URL="sqlite://$db" \
      INSCRIPTIONS__RATE_LIMIT__PER_MINUTE=100000000 \
      INSCRIPTIONS__RATE_LIMIT__BURST=100000000 \
      RUST_LOG=warn "$@" "$BIN" serve > "$WORK/$name.out" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 1 300); do
    SERVER_URL=$(sed -n 's/^inscriptions : \(http[^ ]*\).*/\1/p' "$WORK/$name.out")
    [ -n "$SERVER_URL" ] && return 0
    sleep 0.1
  done
  echo "le serveur $name n’a pas démarré"; cat "$WORK/$name.out"; exit 1
}

stop_server() { kill "$1"; wait "$1" 2>/dev/null || true; }

rss_mib() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# Samples the peak resident size of PID into FILE until the file STOP exists.
sample_peak() {
  local pid=$1 out=$2 stop=$3 peak=0
  while [ ! -e "$stop" ] && [ -e "/proc/$pid/status" ]; do
    local kb; kb=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
    [ "$kb" -gt "$peak" ] && peak=$kb
    sleep 0.05
  done
  echo "$peak" > "$out"
}

# load NAME CONNECTIONS SCRIPT PATH: prints "rps p50_ms p99_ms errors".
load() {
  local name=$1 connections=$2 script=$3 path=$4
  BENCH_PATH=$path BENCH_RUN="$name" wrk -t2 -c"$connections" -d"${SECONDS_PER_RUN}s" --timeout 10s \
    -s "$ROOT/bench/$script" "$SERVER_URL$path" > "$WORK/wrk-$name.txt"
  awk -v s="$SECONDS_PER_RUN" '/^RESULT/ { printf "%.0f %.1f %.1f %d\n", $2 / s, $4 / 1000, $5 / 1000, $3 }' "$WORK/wrk-$name.txt"
}

echo "Machine : $(nproc) cœurs, $(awk '/MemTotal/ { printf "%.0f Gio", $2/1048576 }' /proc/meminfo), $(uname -sr)"
echo "Durée de chaque mesure : ${SECONDS_PER_RUN} s ; wrk 2 threads sur la boucle locale."
echo

## 1. Pages and sign-ups, the worker off (the web side alone).
start_server web "$WORK/web.db" INSCRIPTIONS__MAIL__WORKER__ENABLED=false
WEB_PID=$SERVER_PID
sleep 0.5
IDLE_RSS=$(rss_mib "$WEB_PID")
FORM=/groupes/agenda-transformation-numerique/inscription
curl -s -c "$WORK/jar" "$SERVER_URL$FORM" > "$WORK/form.html"
export BENCH_COOKIE; BENCH_COOKIE=$(awk '$6 == "csrf" { print $7 }' "$WORK/jar")
export BENCH_TOKEN; BENCH_TOKEN=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$WORK/form.html")

read -r PAGE50 PAGE50_P50 PAGE50_P99 _ < <(load page50 50 page.lua /)
read -r PAGE200 PAGE200_P50 PAGE200_P99 _ < <(load page200 200 page.lua /)
read -r SEARCH50 SEARCH50_P50 SEARCH50_P99 _ < <(load search50 50 search.lua /)
read -r SEARCH200 SEARCH200_P50 SEARCH200_P99 _ < <(load search200 200 search.lua /)
rm -f "$WORK/stop"; sample_peak "$WEB_PID" "$WORK/peak-signup" "$WORK/stop" &
SAMPLER=$!
read -r SIGN50 SIGN50_P50 SIGN50_P99 SIGN50_ERR < <(load signup50 50 signup.lua "$FORM")
read -r SIGN200 SIGN200_P50 SIGN200_P99 SIGN200_ERR < <(load signup200 200 signup.lua "$FORM")
touch "$WORK/stop"; wait "$SAMPLER"
LOAD_RSS=$(awk '{ printf "%.1f", $1 / 1024 }' "$WORK/peak-signup")
STORED=$(sqlite3 "$WORK/web.db" "SELECT COUNT(*) FROM registrations")
stop_server "$WEB_PID"

## 1b. The same sign-ups with synchronous = "normal" (no sync to disk per commit).
start_server full "$WORK/full.db" INSCRIPTIONS__MAIL__WORKER__ENABLED=false INSCRIPTIONS__DATABASE__SYNCHRONOUS=normal
FULL_PID=$SERVER_PID
curl -s -c "$WORK/jar3" "$SERVER_URL$FORM" > "$WORK/form3.html"
BENCH_COOKIE=$(awk '$6 == "csrf" { print $7 }' "$WORK/jar3")
BENCH_TOKEN=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$WORK/form3.html")
read -r SIGNFULL SIGNFULL_P50 SIGNFULL_P99 _ < <(load signupfull 50 signup.lua "$FORM")
stop_server "$FULL_PID"

## 2. Sign-ups while the worker drains the outbox to a local SMTP server.
SMTP_PORT=$(free_port); WEB_PORT=$(free_port)
node node_modules/maildev/dist/bin/maildev.js --smtp "$SMTP_PORT" --web "$WEB_PORT" --ip 127.0.0.1 --web-ip 127.0.0.1 --silent > /dev/null 2>&1 &
PIDS+=("$!")
sleep 1.5
start_server mail "$WORK/mail.db" INSCRIPTIONS__MAIL__TRANSPORT=smtp INSCRIPTIONS__MAIL__SMTP__PORT="$SMTP_PORT"
MAIL_PID=$SERVER_PID
curl -s -c "$WORK/jar2" "$SERVER_URL$FORM" > "$WORK/form2.html"
BENCH_COOKIE=$(awk '$6 == "csrf" { print $7 }' "$WORK/jar2")
BENCH_TOKEN=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$WORK/form2.html")
SENT_BEFORE=$(sqlite3 "$WORK/mail.db" "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
read -r SIGNMAIL SIGNMAIL_P50 SIGNMAIL_P99 _ < <(load signupmail 50 signup.lua "$FORM")
SENT_AFTER=$(sqlite3 "$WORK/mail.db" "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
EMAILS_PER_S=$(( (SENT_AFTER - SENT_BEFORE) / SECONDS_PER_RUN ))
# The worker alone, draining what the load left, then the SMTP server's own rate
# (4 connections, as the worker's pool, from a plain client): how much of what
# the server takes the worker delivers.
sleep "$SECONDS_PER_RUN"
SENT_DRAINED=$(sqlite3 "$WORK/mail.db" "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
DRAIN_PER_S=$(( (SENT_DRAINED - SENT_AFTER) / SECONDS_PER_RUN ))
stop_server "$MAIL_PID"
SMTP_PER_S=$(python3 "$ROOT/bench/smtp_client.py" 127.0.0.1 "$SMTP_PORT" 4 "$SECONDS_PER_RUN")

## 3. The storage's raw ceiling: the same rows, schema and pragmas, no HTTP.
CEILING=$("$ROOT/target/release/examples/storage_ceiling" "$WORK/ceiling.db" "$SECONDS_PER_RUN" full 64)
CEILING_ONE=$("$ROOT/target/release/examples/storage_ceiling" "$WORK/ceiling-one.db" "$SECONDS_PER_RUN" full 1)
CEILING_FULL=$("$ROOT/target/release/examples/storage_ceiling" "$WORK/ceiling-normal.db" "$SECONDS_PER_RUN" normal 64)

## 4. Start-up with 100,000 registrations in the database.
INSCRIPTIONS__DATABASE__URL="sqlite://$WORK/big.db" "$BIN" migrate > /dev/null
sqlite3 "$WORK/big.db" <<'SQL'
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO registrants (id, email, created_at) SELECT i, 'personne' || i || '@mairie.fr', 1764000000 FROM n;
INSERT INTO registrations (registrant_id, group_id, state, first_name, last_name, role, function,
  authority_kind, authority_name, authority_code, phone, created_at, updated_at, confirmed_at)
SELECT id, (SELECT id FROM groups WHERE slug = 'agenda-transformation-numerique'), 'confirmed', 'Élodie', 'N’Diaye',
  CASE id % 3 WHEN 0 THEN 'agent' ELSE 'elected' END, 'Maire', 'commune', 'Saint-Étienne', '42218', NULL,
  1764000000, 1764000000, 1764000100
FROM registrants;
SQL
STARTS=()
for _ in 1 2 3; do
  t0=$(date +%s%N)
  start_server big "$WORK/big.db"
  until curl -sf "$SERVER_URL/healthz" > /dev/null; do sleep 0.01; done
  t1=$(date +%s%N)
  STARTS+=($(( (t1 - t0) / 1000000 )))
  stop_server "$SERVER_PID"
done
START_MS=$(printf '%s\n' "${STARTS[@]}" | sort -n | sed -n 2p)
t0=$(date +%s%N); "$BIN" --version > /dev/null; t1=$(date +%s%N)
BARE_MS=$(( (t1 - t0) / 1000000 ))

## 5. Export of 100,000 registrations, against sqlite3 -csv on the same query.
start_server export "$WORK/big.db"
EXPORT_PID=$SERVER_PID
LINK=$(INSCRIPTIONS__DATABASE__URL="sqlite://$WORK/big.db" INSCRIPTIONS__SERVER__BASE_URL="$SERVER_URL" \
  INSCRIPTIONS__REFERENTIEL__IMPORT_AT_START=false "$BIN" admin add bench@numerique.gouv.fr | tail -1 | tr -d ' ')
curl -s -c "$WORK/staff" -b "$WORK/staff" "$LINK" > "$WORK/signin.html"
SIGNIN_TOKEN=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$WORK/signin.html")
curl -s -c "$WORK/staff" -b "$WORK/staff" -d "csrf_token=$SIGNIN_TOKEN" "$LINK" > /dev/null
EXPORT_IDLE_RSS=$(rss_mib "$EXPORT_PID")
rm -f "$WORK/stop"; sample_peak "$EXPORT_PID" "$WORK/peak-export" "$WORK/stop" &
SAMPLER=$!
t0=$(date +%s%N)
curl -s -b "$WORK/staff" -o "$WORK/export.csv" "$SERVER_URL/equipe/groupes/agenda-transformation-numerique/export.csv?format=csv&etat=confirmed"
t1=$(date +%s%N)
touch "$WORK/stop"; wait "$SAMPLER"
EXPORT_MS=$(( (t1 - t0) / 1000000 ))
EXPORT_PEAK=$(awk '{ printf "%.1f", $1 / 1024 }' "$WORK/peak-export")
EXPORT_ROWS=$(( $(wc -l < "$WORK/export.csv") - 1 ))
stop_server "$EXPORT_PID"
t0=$(date +%s%N)
sqlite3 -csv "$WORK/big.db" "SELECT r.state, r.first_name, r.last_name, p.email, r.role, r.function, r.authority_kind, r.authority_name,
  r.authority_code, r.departement_name, r.region_name, r.phone, r.created_at, r.confirmed_at
  FROM registrations r JOIN registrants p ON p.id = r.registrant_id
  WHERE r.group_id = (SELECT id FROM groups WHERE slug = 'agenda-transformation-numerique') AND r.state = 'confirmed'
  ORDER BY r.created_at DESC, r.id DESC" > "$WORK/sqlite.csv"
t1=$(date +%s%N)
SQLITE_MS=$(( (t1 - t0) / 1000000 ))
SQLITE_ROWS=$(wc -l < "$WORK/sqlite.csv")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "—"; else printf "%.0f %%", 100 * a / b }'; }

cat <<TABLE
| mesure | valeur | référence (même exécution) | rapport |
|---|---|---|---|
| inscriptions/s, 50 connexions | $SIGN50 (p50 $SIGN50_P50 ms, p99 $SIGN50_P99 ms, $SIGN50_ERR erreurs) | pages d’accueil/s : $PAGE50 (p99 $PAGE50_P99 ms) | $(ratio "$SIGN50" "$PAGE50") |
| inscriptions/s, 200 connexions | $SIGN200 (p50 $SIGN200_P50 ms, p99 $SIGN200_P99 ms, $SIGN200_ERR erreurs) | pages d’accueil/s : $PAGE200 (p99 $PAGE200_P99 ms) | $(ratio "$SIGN200" "$PAGE200") |
| recherches de collectivité/s, 50 connexions | $SEARCH50 (p50 $SEARCH50_P50 ms, p99 $SEARCH50_P99 ms) | pages d’accueil/s : $PAGE50 | $(ratio "$SEARCH50" "$PAGE50") |
| recherches de collectivité/s, 200 connexions | $SEARCH200 (p50 $SEARCH200_P50 ms, p99 $SEARCH200_P99 ms) | pages d’accueil/s : $PAGE200 | $(ratio "$SEARCH200" "$PAGE200") |
| inscriptions/s, 50 connexions, pendant l’envoi des courriels | $SIGNMAIL (p99 $SIGNMAIL_P99 ms) | les mêmes sans envoi : $SIGN50 | $(ratio "$SIGNMAIL" "$SIGN50") |
| courriels remis/s au serveur SMTP local | $EMAILS_PER_S | inscriptions/s pendant ce temps : $SIGNMAIL | $(ratio "$EMAILS_PER_S" "$SIGNMAIL") |
| courriels remis/s par le worker seul (après la charge) | $DRAIN_PER_S | le serveur SMTP local seul, client simple à 4 connexions : $SMTP_PER_S | $(ratio "$DRAIN_PER_S" "$SMTP_PER_S") |
| inscriptions/s par HTTP, 50 connexions | $SIGN50 | plafond du stockage (mêmes lignes, sans HTTP, 64 par transaction) : $CEILING | $(ratio "$SIGN50" "$CEILING") |
| plafond du stockage, 1 inscription par transaction | $CEILING_ONE | 64 par transaction : $CEILING | $(ratio "$CEILING_ONE" "$CEILING") |
| inscriptions/s, 50 connexions, synchronous = normal | $SIGNFULL (p50 $SIGNFULL_P50 ms, p99 $SIGNFULL_P99 ms) | plafond du stockage en normal (64 par transaction) : $CEILING_FULL | $(ratio "$SIGNFULL" "$CEILING_FULL") |
| mémoire résidente au repos | $IDLE_RSS Mio | | |
| mémoire résidente, pic pendant les inscriptions | $LOAD_RSS Mio | au repos : $IDLE_RSS Mio | $(ratio "$LOAD_RSS" "$IDLE_RSS") |
| export de 100 000 inscriptions ($EXPORT_ROWS lignes) | $EXPORT_MS ms, pic de mémoire $EXPORT_PEAK Mio (au repos $EXPORT_IDLE_RSS Mio) | sqlite3 -csv, même requête ($SQLITE_ROWS lignes) : $SQLITE_MS ms | $(ratio "$EXPORT_MS" "$SQLITE_MS") du temps |
| démarrage avec 100 000 inscriptions (médiane de 3) | $START_MS ms | lancement du binaire seul (--version) : $BARE_MS ms | |
TABLE
echo
echo "($STORED inscriptions enregistrées pendant la mesure sans envoi.)"
