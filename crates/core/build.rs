//! Compiles `c/wire.c`, which writes libpg_query's parse tree as protobuf without upb (see that file),
//! against the libpg_query sources the `pg_query` crate ships and builds.
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    napi_type_defs();
    let libpg_query = pg_query_source_dir().join("libpg_query");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let proto = libpg_query.join("protobuf/pg_query.proto");
    let fields = field_numbers(
        &std::fs::read_to_string(&proto).unwrap_or_else(|e| panic!("cannot read {}: {e}", proto.display())),
    );
    std::fs::write(out_dir.join("pgr_fields.h"), fields).expect("write pgr_fields.h");

    let mut build = cc::Build::new();
    build
        .file("c/wire.c")
        .include(&out_dir)
        .include(&libpg_query)
        .include(libpg_query.join("vendor"))
        .include(libpg_query.join("src/postgres/include"))
        .include(libpg_query.join("src/include"))
        .include(libpg_query.join("src"))
        // Compiled as pg_query compiles libpg_query (its code relies on these semantics).
        .flag_if_supported("-fno-strict-aliasing")
        .flag_if_supported("-fwrapv")
        .warnings(false);
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.contains("windows") {
        build.include(libpg_query.join("src/postgres/include/port/win32"));
        if target.contains("msvc") {
            build.include(libpg_query.join("src/postgres/include/port/win32_msvc"));
        }
    }
    // pg_query's condition for libpg_query's assertion build, so both halves agree.
    if std::env::var("PROFILE").as_deref() == Ok("debug") || std::env::var("DEBUG").as_deref() == Ok("1") {
        build.define("USE_ASSERT_CHECKING", None);
    }
    build.compile("pgr_wire");
    // Our objects call into libpg_query, so it must come after them on the link line.
    println!("cargo:rustc-link-lib=static=pg_query");
    println!("cargo:rerun-if-changed=c/wire.c");
    println!("cargo:rerun-if-changed={}", proto.display());
}

/// The `pg_query` release `c/wire.c` was written against: it reads libpg_query's C structures and the
/// field lists generated for them, which change between releases. The workspace pins this exact version;
/// a build of any other stops here (`tests/wire.rs` is the check that wire.c still matches).
const PG_QUERY_VERSION: &str = "18.1.0";

/// Where cargo unpacked the `pg_query` crate this build uses (registry, vendor dir or git checkout).
/// Asked of `cargo metadata --offline` only: a build script never reaches the network.
fn pg_query_source_dir() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let fail = |why: String| -> ! {
        panic!(
            "\n\npg-rollback-core cannot find the sources of the pg_query crate ({why}).\n\
             build.rs looks them up with `cargo metadata --offline` and never downloads anything. Run \
             `cargo fetch` once (with network access) in the repository, then build again.\n"
        )
    };
    let output = Command::new(&cargo)
        .args(["metadata", "--offline", "--format-version", "1"])
        .current_dir(&manifest_dir)
        .output()
        .unwrap_or_else(|e| fail(format!("cannot run `{cargo} metadata`: {e}")));
    if !output.status.success() {
        fail(format!("`cargo metadata --offline` failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| fail(format!("`cargo metadata` printed no JSON: {e}")));
    let Some(package) =
        metadata["packages"].as_array().and_then(|packages| packages.iter().find(|p| p["name"] == "pg_query"))
    else {
        fail("`cargo metadata` lists no pg_query package".into())
    };
    let version = package["version"].as_str().unwrap_or("?");
    if version != PG_QUERY_VERSION {
        panic!(
            "\n\npg-rollback-core: c/wire.c was written against pg_query {PG_QUERY_VERSION}, but this build uses \
             pg_query {version}.\nKeep `pg_query = \"={PG_QUERY_VERSION}\"` in the workspace Cargo.toml; to move to \
             {version}, update c/wire.c for its libpg_query (node structures, pg_query_outfuncs_defs.c), run \
             `cargo test -p pg-rollback-core --test wire`, then change PG_QUERY_VERSION in crates/core/build.rs and \
             the pin together.\n"
        );
    }
    let Some(manifest) = package["manifest_path"].as_str() else { fail("pg_query has no manifest_path".into()) };
    let dir = Path::new(manifest).parent().expect("pg_query dir").to_path_buf();
    if !dir.join("libpg_query/protobuf/pg_query.proto").is_file() {
        fail(format!("{} has no libpg_query/protobuf/pg_query.proto", dir.display()));
    }
    dir
}

/// `#define PGR_F_<Message>_<field> <number>` for every field of every top-level message.
fn field_numbers(proto: &str) -> String {
    let mut out = String::from("/* Generated by build.rs from pg_query.proto. */\n");
    // Blocks open and close with braces; only fields directly in a top-level message (or in one of
    // its oneofs) are wanted, never enum values or nested messages.
    let mut stack: Vec<(String, String)> = Vec::new(); // (kind, name)
    let mut pending: Option<(String, String)> = None;
    for raw in proto.lines() {
        let line = raw.split("//").next().unwrap_or("");
        let line = match (line.find("/*"), line.find("*/")) {
            (Some(a), Some(b)) if b > a => format!("{}{}", &line[..a], &line[b + 2..]),
            _ => line.to_owned(),
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        if let [kind @ ("message" | "enum" | "oneof"), name, ..] = words.as_slice() {
            pending = Some((kind.to_string(), name.trim_end_matches('{').to_string()));
        }
        if line.contains('{') {
            stack.push(pending.take().unwrap_or_default());
            continue;
        }
        if line.contains('}') {
            stack.pop();
            continue;
        }
        let in_message = match stack.as_slice() {
            [(kind, _)] => kind == "message",
            [(outer, _), (inner, _)] => outer == "message" && inner == "oneof",
            _ => false,
        };
        if !in_message {
            continue;
        }
        let words: Vec<&str> = words.into_iter().filter(|w| *w != "repeated").collect();
        if let [_type, name, "=", number, ..] = words.as_slice() {
            let number: String = number.chars().take_while(char::is_ascii_digit).collect();
            out.push_str(&format!("#define PGR_F_{}_{} {}\n", stack[0].1, name, number));
        }
    }
    // libpg_query's shared writers call the Node oneof member for Float `float_` (a C keyword otherwise).
    out.push_str("#define PGR_F_Node_float_ PGR_F_Node_float\n");
    out
}

/// `napi build` writes the TypeScript types of this crate's napi items (feature "napi") while compiling it,
/// and forces that compile through this variable when its type file is missing.
fn napi_type_defs() {
    println!("cargo::rerun-if-env-changed=NAPI_TYPE_DEF_TMP_FOLDER");
    println!("cargo::rerun-if-env-changed=NAPI_FORCE_BUILD_PG_ROLLBACK_CORE");
}
