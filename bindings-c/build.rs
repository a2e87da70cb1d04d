//! Gives the shared library the name a program linked against it records,
//! instead of the path it was linked from (a build folder): the ELF SONAME
//! `libmailwright.so` on Linux, the install name
//! `@rpath/libmailwright.dylib` on macOS (found through the program's run
//! paths). Windows DLLs are found by file name.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    match std::env::var("CARGO_CFG_TARGET_OS").as_deref() {
        Ok("linux") => println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libmailwright.so"),
        Ok("macos") => {
            println!("cargo:rustc-cdylib-link-arg=-Wl,-install_name,@rpath/libmailwright.dylib")
        }
        _ => {}
    }
}
