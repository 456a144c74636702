//! SVG checks shared by the figure tests: a well-formedness check, attribute values, number pairs.

/// A small well-formedness check: every tag closes in order, attribute values are quoted, no
/// bare '&' or '<' in text, one root element.
pub fn assert_well_formed(svg: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut rest = svg;
    while let Some(i) = rest.find(['<', '&']) {
        let text = &rest[..i];
        assert!(!text.contains('>'), "a bare '>' in text: {text}");
        if rest[i..].starts_with('&') {
            let end = rest[i..].find(';').expect("an unterminated entity");
            let ent = &rest[i + 1..i + end];
            assert!(
                ["amp", "lt", "gt", "quot", "apos"].contains(&ent) || ent.starts_with('#'),
                "bad entity &{ent};"
            );
            rest = &rest[i + end + 1..];
            continue;
        }
        let end = rest[i..].find('>').expect("an unterminated tag") + i;
        let tag = &rest[i + 1..end];
        assert!(!tag.contains('<'), "'<' inside a tag: {tag}");
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes in {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.trim()), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            if stack.is_empty() {
                roots += 1;
            }
            stack.push(tag.split_whitespace().next().unwrap_or("").to_string());
        } else if stack.is_empty() {
            roots += 1;
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(roots, 1, "one root element");
}

/// The value of attribute `name` in a tag.
pub fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    Some(&tag[i..i + tag[i..].find('"')?])
}

/// The two numbers of an attribute such as `data-x-domain="0 100"`.
pub fn pair(s: &str) -> (f64, f64) {
    let v: Vec<f64> = s.split(' ').map(|x| x.parse().unwrap()).collect();
    (v[0], v[1])
}
