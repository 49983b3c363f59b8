#![allow(clippy::unwrap_used)]
//! Blocking recall against brute force on a database of imported lists, printing every
//! match the index misses: `cargo run --release -p molehunt-screen --example recall -- DB [N]`.
use molehunt_screen::Screener;
use molehunt_screen::eval::build_eval_set;

fn main() {
    let db = std::path::PathBuf::from(std::env::args().nth(1).expect("database path"));
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let s = Screener::load(&db).unwrap().unwrap();
    let cases = build_eval_set(&s, n, 99);
    let (mut want, mut got) = (0usize, 0usize);
    for c in &cases {
        let fast: Vec<_> = s
            .screen(&c.query)
            .into_iter()
            .map(|m| (m.list, m.entity_id))
            .collect();
        for b in s.screen_exhaustive(&c.query) {
            want += 1;
            if fast.contains(&(b.list.clone(), b.entity_id.clone())) {
                got += 1;
            } else {
                println!(
                    "MISS {:?} [{}] -> {} / {} score {} | {}",
                    c.query.name, c.kind, b.name, b.matched_name, b.score, b.explanation
                );
            }
        }
    }
    println!(
        "{} queries, recall {got}/{want} = {:.4}",
        cases.len(),
        got as f64 / want.max(1) as f64
    );
}
