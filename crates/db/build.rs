//! `napi build` writes the TypeScript types of this crate's napi items (feature "napi") while compiling it,
//! and forces that compile through `NAPI_FORCE_BUILD_PG_ROLLBACK_DB` when its type file is missing.
fn main() {
    println!("cargo::rerun-if-env-changed=NAPI_TYPE_DEF_TMP_FOLDER");
    println!("cargo::rerun-if-env-changed=NAPI_FORCE_BUILD_PG_ROLLBACK_DB");
}
