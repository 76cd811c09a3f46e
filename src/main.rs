fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut sm = mlarchc::source::SourceMap::new();
    let id = sm.add(path, text.clone(), mlarchc::source::FileOrigin::User);
    let (m, d) = mlarchc::syntax::parse(id, &text);
    println!("{} items", m.items.len());
    for d in d { let s = d.primary_span().unwrap(); println!("{:?} {} {:?} @{}", d.code, d.message, d.help, sm.get(id).line_col(s.start as usize).0); }
}
