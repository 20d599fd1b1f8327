//! `annex.md`: the council's annex as Markdown, readable on any code-hosting site.

use super::annex_doc::AnnexDoc;

pub const TITLE: &str = "医療機器・ヘルスケア協議会 これまでの取組（別添）";

/// Text safe inside a Markdown table cell: pipes escaped, line breaks as `<br>`.
fn cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace("\r\n", "\n")
        .replace('\n', "<br>")
}

pub fn render(doc: &AnnexDoc) -> String {
    let mut out = format!("# {TITLE}\n");
    for challenge in &doc.challenges {
        out.push_str(&format!("\n## {}\n", cell(&challenge.heading)));
        if let Some(direction) = &challenge.direction {
            out.push_str(&format!("\n目指す方向: {}\n", cell(direction)));
        }
        for section in &challenge.sections {
            out.push_str(&format!("\n### {}\n", cell(&section.heading)));
            for group in &section.groups {
                if let Some(theme) = &group.theme {
                    out.push_str(&format!("\n#### {}\n", cell(theme)));
                }
                out.push_str("\n| 論点 | 取組 | 担当府省 |\n|---|---|---|\n");
                for issue in &group.issues {
                    if issue.measures.is_empty() {
                        out.push_str(&format!("| {} | （取組なし） | |\n", cell(&issue.question)));
                    }
                    for (n, measure) in issue.measures.iter().enumerate() {
                        let question = if n == 0 {
                            cell(&issue.question)
                        } else {
                            String::new()
                        };
                        let mut body =
                            format!("**{}**<br>{}", cell(&measure.title), cell(&measure.text));
                        for figure in &measure.figures {
                            body.push_str(&format!("<br>・{}", cell(figure)));
                        }
                        out.push_str(&format!(
                            "| {question} | {body} | {} |\n",
                            cell(&measure.ministries.join("\n"))
                        ));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc <d>"), "a\\|b<br>c &lt;d&gt;");
    }
}
