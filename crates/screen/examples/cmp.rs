#![allow(clippy::unwrap_used)]
fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let t = a.get(2).and_then(|t| molehunt_screen::EntityType::parse(t));
    let (s, why) = molehunt_screen::explain_names(&a[0], &a[1], t);
    println!("{s:.4} {why}");
    println!("{:?}", molehunt_screen::normalize_name(&a[0], t));
}
