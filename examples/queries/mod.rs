//! The keystrokes the benchmarks type: queries as managers type them,
//! Chinese (words, and phrases as an input method commits them) and pinyin
//! (initials, full, mixed, and with the `'` separators input methods show),
//! each typed key by key.

/// Chinese queries.
pub const CHINESE: &[&str] = &[
    "证件",
    "柜员 不熟练",
    "汇款 错",
    "客户取号",
    "差评",
    "假证件",
    "大堂经理",
    "资金安全",
    "排错队",
    "客户 不满意",
    "转柜",
    "口罩",
    // Phrases as an input method commits them.
    "新员工差评",
    "客户生气投诉",
    "外籍客户购汇",
    "客户不肯摘口罩怎么办",
    "柜员太慢了客户要换柜台",
];
/// Pinyin (or mixed) queries.
pub const PINYIN: &[&str] = &[
    "qhcw",
    "qhcuowu",
    "zjhs",
    "quhcw",
    "gybsl",
    "汇款 cuo",
    "cuowu",
    "jzj",
    "bzkz",
    "hk",
    "gyc",
    "zhuangui",
    // As input methods show a composition.
    "qu'hao'cuo'wu",
    "q'h'c'w",
];

/// The bundled card a whole query names (queries not listed name none:
/// `证件`, `大堂经理` … fit several).
#[allow(dead_code, reason = "used by search_bench, not by frame_bench")]
pub const INTENDED: &[(&str, &str)] = &[
    ("柜员 不熟练", "teller-unskilled"),
    ("汇款 错", "teller-error-complaint"),
    ("客户取号", "wrong-queue-ticket"),
    ("差评", "bad-review-for-teller"),
    ("假证件", "impersonation-id"),
    ("排错队", "wrong-queue-ticket"),
    ("转柜", "teller-unfamiliar-business"),
    ("口罩", "refuses-id-check"),
    ("新员工差评", "bad-review-for-teller"),
    ("外籍客户购汇", "teller-unfamiliar-business"),
    ("客户不肯摘口罩怎么办", "refuses-id-check"),
    ("柜员太慢了客户要换柜台", "teller-unskilled"),
    ("qhcw", "wrong-queue-ticket"),
    ("qhcuowu", "wrong-queue-ticket"),
    ("zjhs", "refuses-id-check"),
    ("quhcw", "wrong-queue-ticket"),
    ("gybsl", "teller-unskilled"),
    ("汇款 cuo", "teller-error-complaint"),
    ("jzj", "impersonation-id"),
    ("bzkz", "refuses-id-check"),
    ("zhuangui", "teller-unfamiliar-business"),
    ("qu'hao'cuo'wu", "wrong-queue-ticket"),
    ("q'h'c'w", "wrong-queue-ticket"),
];

/// Every prefix of every query, in typing order.
#[allow(dead_code, reason = "used by search_bench, not by frame_bench")]
pub fn keystrokes(queries: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for q in queries {
        let mut typed = String::new();
        for c in q.chars() {
            typed.push(c);
            if c != ' ' {
                out.push(typed.clone());
            }
        }
    }
    out
}
