//! The service's layers, checked on the source tree: dependencies point one way
//! (`http` → `actions` → `store`/`bus`, all using `domain`; `wire` holds the contract's
//! types), and only `config/mod.rs` reads the environment. Each rule is a module prefix, the
//! code it may not name, and why; comments are not code, so a doc comment may mention
//! anything.

use std::path::{Path, PathBuf};

struct Rule {
    /// Files under `src/` whose path starts with this.
    applies_to: &'static str,
    /// Files the rule leaves alone (paths under `src/`).
    except: &'static [&'static str],
    /// Code the files may not contain (matched as whole path segments).
    forbidden: &'static [&'static str],
    why: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        applies_to: "http/",
        except: &[],
        forbidden: &["crate::store", "store::"],
        why: "http/ parses input, calls one action and renders the result; it never touches the store",
    },
    Rule {
        applies_to: "domain/",
        except: &[],
        forbidden: &[
            "sqlx",
            "axum",
            "fred",
            "reqwest",
            "tokio::net",
            "tokio::fs",
            "tokio::io",
            "tokio::process",
            "tokio::signal",
        ],
        why: "domain/ is pure: types and rules, no database, HTTP, Redis or I/O",
    },
    Rule {
        applies_to: "wire/",
        except: &[],
        forbidden: &["crate::actions", "crate::http", "axum"],
        why: "wire/ types describe the contract; turning them into action input and responses is http/'s job",
    },
    Rule {
        applies_to: "actions/",
        except: &[],
        forbidden: &["axum", "crate::http"],
        why: "actions/ are transport-agnostic: no HTTP types",
    },
    Rule {
        applies_to: "actions/",
        except: &[],
        forbidden: &["sqlx"],
        why: "actions/ speak to the store through its methods and row types, never SQL types",
    },
    Rule {
        applies_to: "jobs/",
        except: &[],
        forbidden: &["axum", "crate::http", "sqlx"],
        why: "jobs/ runs background work through actions and the store's methods: no HTTP, no SQL",
    },
    Rule {
        applies_to: "outbound/",
        except: &[],
        forbidden: &["axum", "crate::http", "crate::actions", "crate::store", "sqlx"],
        why: "outbound/ only calls services outside ours; deciding what to do with the answer is actions/' job",
    },
    Rule {
        applies_to: "gateway/",
        except: &[],
        forbidden: &[
            "axum",
            "crate::http",
            "crate::actions",
            "crate::store",
            "sqlx",
            "crate::app",
        ],
        why: "gateway/ only speaks the gateway protocol; deciding what to ask a gateway is actions/' job",
    },
    Rule {
        applies_to: "store/",
        except: &[],
        forbidden: &["axum", "crate::http", "crate::actions", "crate::wire"],
        why: "store/ executes plans; it knows nothing of HTTP, actions or the wire types",
    },
    Rule {
        applies_to: "",
        except: &["config/mod.rs"],
        forbidden: &[
            "env::var",
            "env::var_os",
            "env::vars",
            "env::set_var",
            "env::remove_var",
        ],
        why: "config/mod.rs is the only code that reads the environment; everything else gets a Config",
    },
];

/// The code of one line: what precedes a `//` comment that is not inside a string.
fn code_of(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
        i += 1;
    }
    line
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Whether `code` names `path` as whole segments (`store::` does not match `restore::`).
fn names(code: &str, path: &str) -> bool {
    code.match_indices(path).any(|(at, _)| {
        let before_ok = at == 0 || !is_ident(code.as_bytes()[at - 1]);
        let end = at + path.len();
        let after_ok = path.ends_with(':') || end == code.len() || !is_ident(code.as_bytes()[end]);
        before_ok && after_ok
    })
}

/// Every broken rule in `source`, the file at `rel` under `src/`, as `file:line: …` lines.
fn violations(rel: &str, source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for rule in RULES {
        if !rel.starts_with(rule.applies_to) || rule.except.contains(&rel) {
            continue;
        }
        for (n, line) in source.lines().enumerate() {
            let code = code_of(line);
            for path in rule.forbidden {
                if names(code, path) {
                    found.push(format!(
                        "src/{rel}:{}: names `{path}` — {} (rule for `src/{}`)\n    {}",
                        n + 1,
                        rule.why,
                        rule.applies_to,
                        line.trim()
                    ));
                }
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(&src)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"));
            (rel, text)
        })
        .collect()
}

#[test]
fn every_layer_names_only_what_it_may() {
    let sources = sources();
    for layer in ["http/", "domain/", "wire/", "actions/", "store/"] {
        assert!(
            sources.iter().any(|(rel, _)| rel.starts_with(layer)),
            "no files under src/{layer}: the rules would check nothing"
        );
    }
    let broken: Vec<String> = sources.iter().flat_map(|(rel, text)| violations(rel, text)).collect();
    assert!(broken.is_empty(), "layering rules broken:\n{}", broken.join("\n"));
}

#[test]
fn exceptions_are_still_needed() {
    let sources = sources();
    for rule in RULES {
        for except in rule.except {
            let Some((_, text)) = sources.iter().find(|(rel, _)| rel == except) else {
                panic!("src/{except} is excepted from a rule but does not exist; remove the exception");
            };
            let still = text
                .lines()
                .any(|line| rule.forbidden.iter().any(|path| names(code_of(line), path)));
            assert!(
                still,
                "src/{except} no longer names any of {:?}; remove its exception from the rule for `src/{}`",
                rule.forbidden, rule.applies_to
            );
        }
    }
}

#[test]
fn a_broken_rule_is_reported_with_file_line_and_reason() {
    let found = violations(
        "http/tags.rs",
        "//! Mentions crate::store in a doc comment, which is fine.\nuse crate::store::StoreError;\n",
    );
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].starts_with("src/http/tags.rs:2: names `crate::store`"),
        "{found:?}"
    );
    assert!(found[0].contains("never touches the store"), "{found:?}");
    assert!(violations("http/tags.rs", "let url = \"http://x\"; // store::y\n").is_empty());
    assert!(violations("http/tags.rs", "fn restore::x() {}\n").is_empty());
    assert!(violations("config/mod.rs", "std::env::var(\"X\")\n").is_empty());
    assert_eq!(violations("telemetry/mod.rs", "std::env::var_os(\"X\")\n").len(), 1);
    assert_eq!(violations("wire/tasks.rs", "use axum::Json;\n").len(), 1);
}
