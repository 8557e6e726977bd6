//! Splitting a run of Chinese characters into words, by the content's own
//! vocabulary.
//!
//! An input method commits whole phrases (`新员工差评`), and people describe
//! a situation rather than recall a title. The run is cut into the pieces
//! that occur in the content (a [`Vocabulary`]), preferring long pieces:
//! each piece of `n ≥ 2` characters that occurs scores `n²`, a single
//! character 0, and the cut with the highest total wins (fewer pieces on a
//! tie). Fillers (的 了 很 吗 …) are dropped; neighbouring characters that
//! are not part of any known piece form one unknown word (`差平`, a wrong
//! homophone, is later matched by its readings).

/// What the content contains.
pub trait Vocabulary {
    /// True when `word` occurs somewhere in the content (any field).
    fn occurs(&self, word: &[char]) -> bool;

    /// True when a longer word may start with `prefix` though `prefix`
    /// itself does not occur (a synonym's first characters). In the
    /// content a piece occurs whenever a longer one holding it does.
    fn continues(&self, prefix: &[char]) -> bool {
        let _ = prefix;
        false
    }

    /// True when `word` was declared a word (a synonym), rather than only
    /// found in the content's text: it is cut out as it is, even where it
    /// ends like a phrase across two words (锁了, 喝多了).
    fn declared(&self, word: &[char]) -> bool {
        let _ = word;
        false
    }
}

/// Words that carry no meaning in a description of a situation. Longer
/// ones first where one starts another.
pub const FILLERS: &[&str] = &[
    "怎么办",
    "怎么",
    "什么",
    "为什么",
    "一下",
    "一直",
    "非常",
    "特别",
    "有点",
    "有些",
    "总是",
    "老是",
    "还是",
    "就是",
    "这个",
    "那个",
    "这样",
    "那样",
    "然后",
    "但是",
    "可是",
    "因为",
    "所以",
    "如果",
    "我们",
    "银行",
    "有人",
    "帮我",
    "给我",
    "请问",
    "不想",
    "不是",
    "太多",
    "很多",
    "好多",
    "一次",
    "进来",
    "出来",
    "过来",
    "进去",
    "出去",
    "回来",
    "你们",
    "他们",
    "她们",
    "的",
    "地",
    "得",
    "了",
    "着",
    "过",
    "很",
    "太",
    "吗",
    "呢",
    "啊",
    "吧",
    "呀",
    "哦",
    "嘛",
    "啦",
    "哈",
    "就",
    "都",
    "也",
    "又",
    "再",
    "还",
    "把",
    "被",
    "让",
    "在",
    "是",
    "有",
    "我",
    "你",
    "他",
    "她",
    "它",
    "这",
    "那",
    "要",
    "想",
    "说",
    "和",
    "跟",
    "与",
    "或",
];

/// The longest piece looked up in the vocabulary.
const MAX_PIECE: usize = 8;

/// What a character left on its own (not a filler) costs a cut: a
/// two-character word's worth, so that 客户 · 不满意 (4 + 9) beats
/// 客户不满 · 意 (16 − 4).
const ALONE: isize = 4;

/// One word of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    /// Occurs literally in the content.
    pub known: bool,
}

/// Characters that begin the next phrase rather than end a word (不想,
/// 没有, 被骗, 把卡, 拿手机); particles that follow a word (拿着, 少算了, 我的)
/// and so are never inside or at the end of one; prepositions and
/// particles that never begin one (在大厅, 的人, 把卡). A piece of the content
/// shaped so only occurs there across two words (客户不 of 客户不配合,
/// 拿着手机 of 客户拿着手机).
const ENDS_NO_WORD: &[char] = &['不', '没', '被', '把', '拿'];
const INSIDE_NO_WORD: &[char] = &['的', '了', '着'];
const BEGINS_NO_WORD: &[char] = &['的', '在', '了', '把'];

/// Begins or holds a particle that never starts or is inside a word.
fn misplaced_particle(piece: &[char]) -> bool {
    piece.iter().skip(1).any(|c| INSIDE_NO_WORD.contains(c))
        || piece.first().is_some_and(|c| BEGINS_NO_WORD.contains(c))
}

fn across_words(piece: &[char]) -> bool {
    piece.last().is_some_and(|c| ENDS_NO_WORD.contains(c)) || misplaced_particle(piece)
}

pub fn is_filler(chars: &[char]) -> bool {
    FILLERS.iter().any(|f| f.chars().eq(chars.iter().copied()))
}

/// Cuts `run` (Chinese characters, folded) into words; fillers dropped
/// unless nothing else is left.
pub fn segment(run: &[char], vocabulary: &impl Vocabulary) -> Vec<Piece> {
    let n = run.len();
    if n == 0 {
        return Vec::new();
    }
    // known[j]: lengths (≥ 2) of known pieces starting at j. A longer piece
    // can only occur if the shorter one does, so each start stops at the
    // first miss.
    let mut known: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (j, lengths) in known.iter_mut().enumerate() {
        for len in 2..=MAX_PIECE.min(n - j) {
            let piece = &run[j..j + len];
            if vocabulary.occurs(piece) {
                // At the end of what was typed a piece ending like a
                // phrase may be a word still being typed (客户不|配合).
                let typing = j + len == n && !misplaced_particle(piece);
                if typing || !across_words(piece) || vocabulary.declared(piece) {
                    lengths.push(len);
                }
            } else if !vocabulary.continues(piece) {
                break;
            }
        }
        // Fillers are cut out whole, known or not (怎么办).
        for filler in FILLERS {
            let len = filler.chars().count();
            if len >= 2
                && !lengths.contains(&len)
                && run
                    .get(j..j + len)
                    .is_some_and(|p| filler.chars().eq(p.iter().copied()))
            {
                lengths.push(len);
            }
        }
    }
    // best[i]: (score, -pieces) of the best cut of run[..i], and the length
    // of its last piece. A character left on its own costs a little, so
    // that 客户不满意 reads 客户 · 不满意 where both are words, not
    // 客户不满 · 意.
    let mut best: Vec<((isize, isize), usize)> = vec![((0, 0), 0); n + 1];
    for i in 1..=n {
        let ((s, p), _) = best[i - 1];
        let alone = if is_filler(&run[i - 1..i]) { 0 } else { ALONE };
        let mut here = ((s - alone, p - 1), 1);
        // Pieces are at most MAX_PIECE long (fillers are shorter).
        for j in i.saturating_sub(MAX_PIECE)..i.saturating_sub(1) {
            if known[j].contains(&(i - j)) {
                let ((s, p), _) = best[j];
                let len = isize::try_from(i - j).unwrap_or(isize::MAX);
                let candidate = ((s + len * len, p - 1), i - j);
                if candidate.0 > here.0 {
                    here = candidate;
                }
            }
        }
        best[i] = here;
    }
    let mut cut = Vec::new();
    let mut i = n;
    while i > 0 {
        let len = best[i].1.max(1);
        cut.push(&run[i - len..i]);
        i -= len;
    }
    cut.reverse();

    // Drop fillers (unless that leaves nothing); join neighbouring
    // characters that are not in known pieces.
    let meaningful = cut.iter().any(|p| !is_filler(p));
    let mut out: Vec<Piece> = Vec::new();
    let mut pending = String::new();
    let mut pending_len = 0;
    let flush = |pending: &mut String, pending_len: &mut usize, out: &mut Vec<Piece>| {
        if !pending.is_empty() {
            let chars: Vec<char> = pending.chars().collect();
            let known = *pending_len == 1 && vocabulary.occurs(&chars);
            out.push(Piece {
                text: std::mem::take(pending),
                known,
            });
            *pending_len = 0;
        }
    };
    for piece in cut {
        if meaningful && is_filler(piece) {
            flush(&mut pending, &mut pending_len, &mut out);
            continue;
        }
        // A character the vocabulary declares a word (猫 in the synonyms)
        // stands alone; other lone characters join their neighbours.
        if piece.len() == 1 && !vocabulary.declared(piece) {
            pending.push(piece[0]);
            pending_len += 1;
            continue;
        }
        flush(&mut pending, &mut pending_len, &mut out);
        out.push(Piece {
            text: piece.iter().collect(),
            known: true,
        });
    }
    flush(&mut pending, &mut pending_len, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A vocabulary of whole texts: a piece occurs when it is a substring
    /// of one of them.
    struct Texts(&'static [&'static str]);

    impl Vocabulary for Texts {
        fn occurs(&self, word: &[char]) -> bool {
            let word: String = word.iter().collect();
            self.0.iter().any(|t| t.contains(&word))
        }
    }

    const CONTENT: Texts = Texts(&[
        "客户给柜员差评",
        "出纳员小李是一名新员工,业务不是很熟练",
        "客户取号错误",
        "取错号",
        "拿错号",
        "客户非常生气",
        "投诉柜员",
        "外籍客户",
        "购汇",
        "不摘口罩",
    ]);

    fn words(q: &str) -> Vec<(String, bool)> {
        let run: Vec<char> = q.chars().collect();
        segment(&run, &CONTENT)
            .into_iter()
            .map(|p| (p.text, p.known))
            .collect()
    }

    fn texts(q: &str) -> Vec<String> {
        words(q).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn phrases_split_into_the_contents_words() {
        assert_eq!(texts("新员工差评"), ["新员工", "差评"]);
        assert_eq!(texts("客户生气投诉"), ["客户", "生气", "投诉"]);
        assert_eq!(texts("外籍客户购汇"), ["外籍客户", "购汇"]);
        assert_eq!(texts("取号拿错"), ["取号", "拿错"]);
        assert_eq!(texts("客户给柜员差评"), ["客户给柜员差评"]);
    }

    #[test]
    fn fillers_are_dropped() {
        assert_eq!(texts("客户很生气"), ["客户", "生气"]);
        assert_eq!(texts("客户不肯摘口罩怎么办"), ["客户", "不肯", "摘口罩"]);
        assert_eq!(texts("的"), ["的"], "nothing else: kept");
    }

    #[test]
    fn unknown_neighbours_form_one_word() {
        assert_eq!(words("差平"), [("差平".to_owned(), false)]);
        assert_eq!(words("曲号"), [("曲号".to_owned(), false)]);
        // Two words rather than a longer one and a character alone.
        assert_eq!(
            words("客户取错"),
            [("客户".to_owned(), true), ("取错".to_owned(), true)]
        );
        // A single known character next to a known piece stays alone.
        assert_eq!(
            words("柜员错"),
            [("柜员".to_owned(), true), ("错".to_owned(), true)]
        );
    }
}
