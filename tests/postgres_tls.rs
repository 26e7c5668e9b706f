//! PostgreSQL the way teams run it, through the binary: TLS under each `sslmode`, certificate
//! and host name checks, servers that require or lack TLS, passwords from `PGPASSWORD` and
//! `~/.pgpass` (never printed), and refused transaction poolers.
//!
//! The TLS cases need the test server set up by `scripts/pg-tls-setup` (CI runs it): a
//! certificate for `localhost` signed by a test CA, a TLS-only database and a role group that
//! logs in with a password. Without it they say so and skip, except under CI.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

use crate::support::{
    PG_CERT_USER_ENV, PG_PASSWORD_GROUP_ENV, PG_TLS_CA_ENV, PG_TLS_ONLY_ENV, Run, TestDb, TestEnv,
    assert_contains, pg_setup_var, row,
};

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

fn with_query(url: &str, query: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{query}")
}

/// The test's own schema, from its URL's `options=-csearch_path=...`.
fn schema_of(db: &TestDb) -> String {
    let after = db.url.split("search_path%3D").nth(1).unwrap();
    after.split('&').next().unwrap().to_string()
}

fn tls_of(env: &TestEnv, url: &str) -> String {
    let status = env.run(&["--database-url", url, "-o", "json", "db", "status"]);
    status.ok().json()["tls"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn sslmode_require_migrates_imports_and_lists_over_tls() {
    let Some(db) = TestDb::postgres() else { return };
    let env = TestEnv::new();
    let url = with_query(&db.url, "sslmode=require");
    env.run(&["--database-url", &url, "db", "migrate"]).ok();
    let fans = example("onlyfans-fans.csv");
    let import = env.run(&[
        "--database-url",
        &url,
        "-o",
        "json",
        "import-csv",
        "onlyfans",
        "fans",
        &fans,
    ]);
    assert_eq!(import.ok().json()["inserted"], 12);
    let list = env.run(&["--database-url", &url, "-o", "json", "fans", "list"]);
    assert_eq!(list.ok().json().as_array().unwrap().len(), 12);

    let tls = tls_of(&env, &url);
    assert!(tls.starts_with("TLSv1."), "{tls}");
    assert_contains(&tls, "not verified (sslmode=require)");
    let plain = tls_of(&env, &with_query(&db.url, "sslmode=disable"));
    assert_eq!(plain, "not encrypted (sslmode=disable)");
}

#[test]
fn verify_full_with_the_right_ca_is_reported_verified_by_doctor() {
    let Some(db) = TestDb::postgres_tls() else {
        return;
    };
    let env = TestEnv::new();
    env.on(&db, &["db", "migrate"]).ok();
    let doctor = env.crm(&db, &["doctor"]);
    let checks = doctor.json();
    let tls = row(&checks, "check", "database tls").clone();
    assert_eq!(tls["status"], "ok", "{tls}");
    let detail = tls["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("TLSv1.")
            && detail.ends_with("server certificate and host name verified (sslmode=verify-full)"),
        "{detail}"
    );
}

#[test]
fn verify_full_with_a_wrong_ca_fails_in_one_line() {
    let Some(db) = TestDb::postgres() else { return };
    let Some(ca) = pg_setup_var(PG_TLS_CA_ENV) else {
        return;
    };
    let wrong = Path::new(&ca).with_file_name("wrong-ca.crt");
    let db = db.with_tls(&format!(
        "sslmode=verify-full&sslrootcert={}",
        wrong.display()
    ));
    let run = TestEnv::new().on(&db, &["db", "status"]);
    run.error_naming(
        5,
        &[
            "the server's certificate is not trusted by sslrootcert",
            "wrong-ca.crt",
            "UnknownIssuer",
        ],
    );
}

#[test]
fn verify_full_by_an_address_the_certificate_does_not_name_fails_in_one_line() {
    let Some(db) = TestDb::postgres() else { return };
    let Some(ca) = pg_setup_var(PG_TLS_CA_ENV) else {
        return;
    };
    // The certificate names localhost only; the test server's URL says 127.0.0.1.
    let url = with_query(&db.url, &format!("sslmode=verify-full&sslrootcert={ca}"));
    assert_contains(&url, "@127.0.0.1:");
    let env = TestEnv::new();
    env.run(&["--database-url", &url, "db", "status"])
        .error_naming(5, &["not valid for this host name (sslmode=verify-full)"]);
    // verify-ca checks the chain only, so the same address is accepted.
    let url = with_query(&db.url, &format!("sslmode=verify-ca&sslrootcert={ca}"));
    let tls = tls_of(&env, &url);
    assert!(
        tls.ends_with("host name not checked (sslmode=verify-ca)"),
        "{tls}"
    );
}

#[test]
fn sslmode_disable_against_a_server_that_requires_tls_fails_in_one_line() {
    let Some(tls_only) = pg_setup_var(PG_TLS_ONLY_ENV) else {
        return;
    };
    let env = TestEnv::new();
    let run = env.run(&[
        "--database-url",
        &with_query(&tls_only, "sslmode=disable"),
        "db",
        "status",
    ]);
    run.error_naming(
        5,
        &[
            "the server requires TLS",
            "sslmode=disable does not use it",
            "hint: use sslmode=require",
        ],
    );
    // The default (prefer) gets in, encrypted.
    let tls = tls_of(&env, &tls_only);
    assert!(tls.starts_with("TLSv1."), "{tls}");
}

#[test]
fn sslmode_require_against_a_server_without_tls_fails_in_one_line() {
    // A server that answers the TLS request with 'N', as one with ssl = off does.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0u8; 8];
        stream.read_exact(&mut request).unwrap();
        assert_eq!(&request[4..], &[0x04, 0xd2, 0x16, 0x2f], "an SSLRequest");
        stream.write_all(b"N").unwrap();
    });
    let url = format!("postgres://u:hunter2@127.0.0.1:{port}/db?sslmode=require");
    let run = TestEnv::new().run(&["--database-url", &url, "db", "status"]);
    server.join().unwrap();
    let line = run.one_line_error(5);
    assert_contains(
        line,
        "the server does not support TLS, and sslmode=require requires it",
    );
    assert!(
        line.contains("u:***@127.0.0.1") && !line.contains("hunter2"),
        "{line}"
    );
}

#[test]
fn a_known_transaction_pooler_endpoint_is_refused_before_connecting() {
    let run = TestEnv::new().run(&[
        "--database-url",
        "postgres://postgres.ref:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres",
        "db",
        "status",
    ]);
    run.error_naming(5, &["transaction-mode connection pooler", "port 5432"]);
}

/// A login role on the test server that must give `password`, dropped when the test ends.
struct PasswordRole {
    name: String,
    password: String,
    admin: String,
}

impl PasswordRole {
    fn new(db: &TestDb) -> Option<PasswordRole> {
        let group = pg_setup_var(PG_PASSWORD_GROUP_ENV)?;
        let admin = std::env::var(crate::support::PG_ENV).unwrap();
        let name = format!("r_{}", uuid::Uuid::new_v4().simple());
        let password = format!("pw-{}", uuid::Uuid::new_v4().simple());
        let schema = schema_of(db);
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!(
                "CREATE ROLE {name} LOGIN PASSWORD '{password}' IN ROLE {group};
                 GRANT ALL ON SCHEMA {schema} TO {name};"
            ))
            .unwrap();
        Some(PasswordRole {
            name,
            password,
            admin,
        })
    }

    /// The test database's URL for this role, without a password.
    fn url(&self, db: &TestDb) -> String {
        db.url.replacen("postgres@", &format!("{}@", self.name), 1)
    }
}

impl Drop for PasswordRole {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP OWNED BY {0}; DROP ROLE IF EXISTS {0}",
                self.name
            ));
        }
    }
}

fn assert_never_printed(run: &Run, password: &str) {
    assert!(
        !run.stdout.contains(password) && !run.stderr.contains(password),
        "the password was printed: {}{}",
        run.stdout,
        run.stderr
    );
}

fn write_pgpass(env: &TestEnv, line: &str, mode: u32) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let home = env.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let path = home.join(".pgpass");
    std::fs::write(&path, format!("# test\n{line}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

#[test]
fn the_password_comes_from_pgpass_and_is_never_printed() {
    let Some(db) = TestDb::postgres() else { return };
    let Some(role) = PasswordRole::new(&db) else {
        return;
    };
    let env = TestEnv::new();
    let url = role.url(&db);

    // Without a password the server's demand is one line naming the ways to give one.
    let run = env.run(&["--database-url", &url, "db", "migrate"]);
    run.error_naming(5, &["asks for a password", ".pgpass"]);

    write_pgpass(
        &env,
        &format!("127.0.0.1:*:test:{}:{}", role.name, role.password),
        0o600,
    );
    let run = env.run(&["-vv", "--database-url", &url, "db", "migrate"]);
    run.ok();
    assert_never_printed(&run, &role.password);
    let run = env.run(&["-vv", "--database-url", &url, "-o", "json", "db", "status"]);
    assert_eq!(run.ok().json()["state"], "current");
    assert_never_printed(&run, &role.password);
}

#[test]
fn a_pgpass_that_others_can_read_is_refused() {
    let Some(db) = TestDb::postgres() else { return };
    let Some(role) = PasswordRole::new(&db) else {
        return;
    };
    let env = TestEnv::new();
    let path = write_pgpass(
        &env,
        &format!("*:*:*:{}:{}", role.name, role.password),
        0o640,
    );
    let run = env.run(&["--database-url", &role.url(&db), "db", "migrate"]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("asks for a password")
            && last.contains(&format!("chmod 600 {}", path.display())),
        "{}",
        run.stderr
    );
    assert_never_printed(&run, &role.password);
}

#[test]
fn the_password_comes_from_pgpassword_and_is_never_printed() {
    let Some(db) = TestDb::postgres() else { return };
    let Some(role) = PasswordRole::new(&db) else {
        return;
    };
    let env = TestEnv::new();
    let url = role.url(&db);
    let mut cmd = env.command(&["-vv", "--database-url", &url, "db", "migrate"]);
    cmd.env("PGPASSWORD", &role.password);
    let run = env.run_cmd(cmd);
    run.ok();
    assert_never_printed(&run, &role.password);

    let mut cmd = env.command(&["-vv", "--database-url", &url, "db", "migrate"]);
    cmd.env("PGPASSWORD", "not-the-password");
    let run = env.run_cmd(cmd);
    assert_eq!(run.code, 5, "{}", run.stderr);
    run.stderr_has("password authentication failed");
    assert_never_printed(&run, "not-the-password");
}

#[test]
fn pg_variables_fill_what_a_bare_url_leaves_out() {
    let Some(db) = TestDb::postgres() else { return };
    let Some(role) = PasswordRole::new(&db) else {
        return;
    };
    let env = TestEnv::new();
    // Only the test's schema stays in the URL; host, port, user, database and password do not.
    let options = db.url.split_once('?').unwrap().1;
    let url = format!("postgres://?{options}");
    let mut cmd = env.command(&["-vv", "--database-url", &url, "-o", "json", "db", "status"]);
    cmd.env("PGHOST", "127.0.0.1")
        .env("PGPORT", "5432")
        .env("PGUSER", &role.name)
        .env("PGDATABASE", "test")
        .env("PGPASSWORD", &role.password);
    let run = env.run_cmd(cmd);
    assert_eq!(run.ok().json()["state"], "pending");
    assert_never_printed(&run, &role.password);
}

#[test]
fn sslmode_comes_from_the_url_then_pgsslmode_then_the_config_file() {
    let Some(db) = TestDb::postgres() else { return };
    let Some(ca) = pg_setup_var(PG_TLS_CA_ENV) else {
        return;
    };
    let env = TestEnv::new();
    let dir = env.config_home().join("socialcrm");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!("[database]\nsslmode = \"verify-full\"\nsslrootcert = \"{ca}\"\n"),
    )
    .unwrap();
    // The test database's URL by the certificate's name, without the harness's sslmode.
    let url = db
        .url
        .replacen("@127.0.0.1:", "@localhost:", 1)
        .replace("&sslmode=disable", "");
    let tls = tls_of(&env, &url);
    assert!(
        tls.ends_with("host name verified (sslmode=verify-full)"),
        "{tls}"
    );

    // PGSSLMODE beats the file; the file's sslrootcert still applies, and libpq's rule makes
    // `require` with a root certificate check the chain.
    let mut cmd = env.command(&["--database-url", &url, "-o", "json", "db", "status"]);
    cmd.env("PGSSLMODE", "require");
    let tls = env.run_cmd(cmd).ok().json()["tls"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        tls.ends_with("host name not checked (sslmode=require)"),
        "{tls}"
    );

    // The URL beats both.
    let tls = tls_of(&env, &with_query(&url, "sslmode=disable"));
    assert_eq!(tls, "not encrypted (sslmode=disable)");
}

#[test]
fn a_client_certificate_logs_in_where_the_server_requires_one() {
    use std::os::unix::fs::PermissionsExt;
    let Some(db) = TestDb::postgres() else { return };
    let (Some(ca), Some(user)) = (pg_setup_var(PG_TLS_CA_ENV), pg_setup_var(PG_CERT_USER_ENV))
    else {
        return;
    };
    let schema = schema_of(&db);
    db.exec(&format!("GRANT ALL ON SCHEMA {schema} TO {user}"));
    let env = TestEnv::new();
    let dir = Path::new(&ca).parent().unwrap();
    let key = env.path().join("client.key");
    std::fs::copy(dir.join("client.key"), &key).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let url = db
        .url
        .replacen("postgres@127.0.0.1:", &format!("{user}@localhost:"), 1);
    let verified = format!("sslmode=verify-full&sslrootcert={ca}");

    // The server's pg_hba.conf says `cert` for this role: no certificate, no entry.
    let run = env.run(&[
        "--database-url",
        &with_query(&url, &verified),
        "db",
        "status",
    ]);
    run.error_naming(5, &["certificate"]);

    let with_cert = with_query(
        &url,
        &format!(
            "{verified}&sslcert={}&sslkey={}",
            dir.join("client.crt").display(),
            key.display()
        ),
    );
    env.run(&["--database-url", &with_cert, "db", "migrate"])
        .ok();
    let status = env.run(&["--database-url", &with_cert, "-o", "json", "db", "status"]);
    assert_eq!(status.ok().json()["state"], "current");

    // A key others can read is refused, as libpq does.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = env.run(&["--database-url", &with_cert, "db", "status"]);
    run.error_naming(5, &["has group or world access", "chmod 600"]);
}

#[test]
fn a_server_that_takes_the_connection_and_never_answers_fails_after_connect_timeout() {
    // TCP is accepted (so the driver's own socket timeout does not fire), then silence.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let _ = released.recv();
        drop(stream);
    });
    let url = format!("postgres://u@127.0.0.1:{port}/db?sslmode=require&connect_timeout=2");
    let run = TestEnv::new().run(&["--database-url", &url, "db", "status"]);
    let _ = release.send(());
    server.join().unwrap();
    run.error_naming(5, &["no answer within 2 s (connect_timeout)"]);
}

/// A server whose TLS is broken: it agrees to TLS, then sends bytes that are no handshake; the
/// next connection (plain text) gets a login error naming the fake.
fn broken_tls_server() -> (u16, std::thread::JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut served = 0;
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            served += 1;
            let mut len = [0u8; 4];
            stream.read_exact(&mut len).unwrap();
            let mut body = vec![0u8; u32::from_be_bytes(len) as usize - 4];
            stream.read_exact(&mut body).unwrap();
            if body == [0x04, 0xd2, 0x16, 0x2f] {
                stream.write_all(b"S").unwrap();
                stream
                    .write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n")
                    .unwrap();
                continue;
            }
            // A plain startup message: refuse the login, then stop serving.
            let mut fields = Vec::new();
            for (code, text) in [
                (b'S', "FATAL"),
                (b'C', "28000"),
                (b'M', "fake server says no"),
            ] {
                fields.push(code);
                fields.extend_from_slice(text.as_bytes());
                fields.push(0);
            }
            fields.push(0);
            let mut message = vec![b'E'];
            message.extend_from_slice(&(fields.len() as u32 + 4).to_be_bytes());
            message.extend_from_slice(&fields);
            stream.write_all(&message).unwrap();
            break;
        }
        served
    });
    (port, server)
}

/// Ends a `broken_tls_server` still waiting for a plain connection.
fn release(port: u16, server: std::thread::JoinHandle<usize>) {
    let _ = std::net::TcpStream::connect(("127.0.0.1", port))
        .and_then(|mut s| s.write_all(&[0, 0, 0, 8, 0, 3, 0, 0]));
    server.join().unwrap();
}

#[test]
fn sslmode_prefer_retries_in_plain_text_when_the_tls_handshake_fails_but_require_does_not() {
    let (port, server) = broken_tls_server();
    let url = format!("postgres://u@127.0.0.1:{port}/db");
    let run = TestEnv::new().run(&["--database-url", &url, "db", "status"]);
    release(port, server);
    assert_eq!(run.code, 5, "{}", run.stderr);
    run.stderr_has("connecting without TLS, as sslmode=prefer allows");
    let last = run.stderr.lines().last().unwrap();
    assert_contains(last, "fake server says no");

    let (port, server) = broken_tls_server();
    let url = format!("postgres://u@127.0.0.1:{port}/db?sslmode=require");
    let run = TestEnv::new().run(&["--database-url", &url, "db", "status"]);
    release(port, server);
    run.error_naming(5, &["error performing TLS handshake"]);
}
