//! Compliance rules: phrases a script must not say (promises of returns or
//! safety such as 保本保息, 稳赚不赔), each with the reason and a better
//! wording. Written in a `rules.ron` (any file whose top level is
//! `Rules(…)`) in any content source; the rules of every source apply to
//! every card. `check` and the problems panel warn at each phrase.

use std::path::Path;

use serde::Deserialize;

use crate::content::diagnostic::{Diagnostic, LineIndex};
use crate::content::{ron_error, syntax};

/// One phrase not to say.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Rule")]
pub struct Rule {
    pub phrase: String,
    /// Why not (shown with the warning).
    pub why: String,
    /// What to say instead.
    #[serde(default)]
    pub instead: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "Rules")]
struct RawRules {
    #[serde(default)]
    rules: Vec<Rule>,
}

/// Whether `text` is a rules file rather than a chapter.
pub fn is_rules(text: &str) -> bool {
    syntax::top_level_name(text) == Some("Rules")
}

/// The rules of one file; its problems go to `diags`.
pub fn parse(path: &Path, text: &str, diags: &mut Vec<Diagnostic>) -> Vec<Rule> {
    let raw: RawRules = match crate::content::raw::ron_options().from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let (pos, message, help) = ron_error::explain(text, &LineIndex::new(text), &e);
            let mut d = Diagnostic::error(path, Some(pos), message);
            if let Some(h) = help {
                d = d.with_help(h);
            }
            diags.push(d.with_help("这个规则文件没有加载"));
            return Vec::new();
        }
    };
    raw.rules
        .into_iter()
        .filter(|r| {
            let empty = r.phrase.trim().is_empty();
            if empty {
                diags.push(Diagnostic::warning(
                    path,
                    None,
                    format!("规则的 phrase 是空的，已忽略（why: {}）", r.why),
                ));
            }
            !empty
        })
        .collect()
}

/// The warning for `rule`'s phrase found in a script.
pub fn message(rule: &Rule) -> (String, String) {
    let message = format!("话术里有“{}”：{}", rule.phrase, rule.why);
    let help = match &rule.instead {
        Some(better) => format!("建议改为：“{better}”（规则见 rules.ron）"),
        None => "请改写这句话术（规则见 rules.ron）".to_owned(),
    };
    (message, help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rules_file_is_told_from_a_chapter_and_read() {
        let text = "// 合规\nRules(rules: [\n    Rule(phrase: \"保本保息\", why: \"不能承诺收益\", instead: Some(\"本产品不保证本金和收益\")),\n    Rule(phrase: \"稳赚不赔\", why: \"不能承诺收益\"),\n])\n";
        assert!(is_rules(text));
        assert!(!is_rules("Chapter(sections: [])"));
        let mut diags = Vec::new();
        let rules = parse(Path::new("rules.ron"), text, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(rules.len(), 2);
        let (m, h) = message(&rules[0]);
        assert_eq!(m, "话术里有“保本保息”：不能承诺收益");
        assert!(h.contains("本产品不保证本金和收益"));
    }

    #[test]
    fn a_broken_rules_file_is_an_error_at_its_place() {
        let mut diags = Vec::new();
        let rules = parse(
            Path::new("rules.ron"),
            "Rules(rules: [\n    Rule(phrase: \"保本\", why: \"x\",\n])\n",
            &mut diags,
        );
        assert!(rules.is_empty());
        assert_eq!(diags.len(), 1);
        assert!(
            diags[0].message.contains("`Rule(`没有关闭"),
            "{:?}",
            diags[0]
        );
    }
}
