#![allow(clippy::unwrap_used)]
//! Times the phases of an import of the real OFAC advanced XML.
use std::io::Read;
use std::time::Instant;
fn main() {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/sanctions/sdn_advanced.xml.bz2");
    let t = Instant::now();
    let mut v = Vec::new();
    bzip2::read::MultiBzDecoder::new(std::fs::File::open(&p).unwrap())
        .read_to_end(&mut v)
        .unwrap();
    println!(
        "bunzip2 {} MB {:.2}s",
        v.len() / 1_000_000,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let l = molehunt_screen::parse_bytes(&v, None).unwrap();
    println!(
        "parse {} entities {:.2}s",
        l.entities.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let db = std::env::temp_dir().join("phases.db");
    let _ = std::fs::remove_file(&db);
    molehunt_screen::import_parsed(&db, l, None, "x", "y").unwrap();
    println!("store {:.2}s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let s = molehunt_screen::Screener::load(&db).unwrap().unwrap();
    println!("load {:?} {:.2}s", s.size(), t.elapsed().as_secs_f64());
}
