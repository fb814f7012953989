//! The interface's words, per locale.
//!
//! A struct of `&'static str` rather than a key lookup: a missing
//! translation is a compile error, and the catalogue costs no parsing.

use helpdock_core::locale::Locale;

/// Every string the widget's own interface shows.
#[derive(Debug)]
pub struct Strings {
    pub launcher_open: &'static str,
    pub launcher_close: &'static str,
    pub panel_title: &'static str,
    pub panel_subtitle: &'static str,
    pub close: &'static str,
    pub sections: &'static str,
    pub tab_help: &'static str,
    pub tab_chat: &'static str,
    pub tab_tickets: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub categories: &'static str,
    pub help_empty_title: &'static str,
    pub help_empty_body: &'static str,
    pub chat_empty_title: &'static str,
    pub chat_empty_body: &'static str,
    pub tickets_empty_title: &'static str,
    pub tickets_empty_body: &'static str,
    pub loading: &'static str,
    pub help_failed_title: &'static str,
    pub help_failed_body: &'static str,
    pub announcements: &'static str,
    pub back: &'static str,
    pub articles_one: &'static str,
    pub articles_many: &'static str,
    pub results_one: &'static str,
    pub results_many: &'static str,
    pub no_results_title: &'static str,
    pub no_results_body: &'static str,
    pub related: &'static str,
    pub helpful_question: &'static str,
    pub helpful_yes: &'static str,
    pub helpful_no: &'static str,
    pub helpful_thanks: &'static str,
    pub updated: &'static str,
    pub not_in_locale: &'static str,
    pub unread_one: &'static str,
    pub unread_many: &'static str,
    pub chat_placeholder: &'static str,
    pub chat_label: &'static str,
    pub send: &'static str,
    pub talk_to_person: &'static str,
    pub solved_question: &'static str,
    pub solved_yes: &'static str,
    pub solved_no: &'static str,
    pub open_article: &'static str,
    pub clarify: &'static str,
    pub dont_know: &'static str,
    pub checks_title: &'static str,
    pub urgent_title: &'static str,
    pub step_of: &'static str,
    pub skip: &'static str,
    pub leave_form: &'static str,
    pub channels_title: &'static str,
    pub chat_closed: &'static str,
    pub summary_title: &'static str,
    pub handed_over: &'static str,
    pub resolved: &'static str,
    pub blocked_title: &'static str,
    pub edit_and_resend: &'static str,
    pub restart: &'static str,
    pub link_warning: &'static str,
    pub attach_file: &'static str,
}

impl Strings {
    /// "12 articles".
    pub fn article_count(&self, n: usize) -> String {
        (if n == 1 { self.articles_one } else { self.articles_many }).replace("{n}", &n.to_string())
    }

    /// "Step 2 of 6".
    pub fn step(&self, i: usize, n: usize) -> String {
        self.step_of.replace("{i}", &i.to_string()).replace("{n}", &n.to_string())
    }

    /// "3 results", announced to screen readers.
    pub fn result_count(&self, n: usize) -> String {
        (if n == 1 { self.results_one } else { self.results_many }).replace("{n}", &n.to_string())
    }

    /// "Updated 2026-11-01".
    pub fn updated(&self, date: &str) -> String {
        self.updated.replace("{date}", date)
    }

    /// "3 unread messages", for the launcher badge's accessible name.
    pub fn unread(&self, count: u32) -> String {
        let template = if count == 1 { self.unread_one } else { self.unread_many };
        template.replace("{n}", &count.to_string())
    }
}

/// The catalogue for `locale`.
pub fn strings(locale: Locale) -> &'static Strings {
    match locale {
        Locale::En => &EN,
        Locale::ZhCn => &ZH_CN,
    }
}

static EN: Strings = Strings {
    launcher_open: "Open support",
    launcher_close: "Close support",
    panel_title: "Support",
    panel_subtitle: "Answers any time, people 24/7",
    close: "Close",
    sections: "Support sections",
    tab_help: "Help",
    tab_chat: "Chat",
    tab_tickets: "My tickets",
    search_label: "Search the help centre",
    search_placeholder: "Search: deposit, 2FA, fees…",
    categories: "Categories",
    help_empty_title: "The help centre is empty",
    help_empty_body: "Articles and categories appear here once a content pack is loaded.",
    chat_empty_title: "Ask us anything",
    chat_empty_body: "Our assistant answers from the help centre, and a person can take over at any time.",
    tickets_empty_title: "No tickets yet",
    tickets_empty_body: "Requests you send to our team appear here, with their status and replies.",
    loading: "Loading the help centre…",
    help_failed_title: "The help centre could not be loaded",
    help_failed_body: "Check your connection and reopen this panel, or ask us in Chat.",
    announcements: "Announcements",
    back: "← Back",
    articles_one: "{n} article",
    articles_many: "{n} articles",
    results_one: "{n} result",
    results_many: "{n} results",
    no_results_title: "No articles match",
    no_results_body: "Try other words, or ask in Chat: our assistant and our team can help.",
    related: "Related articles",
    helpful_question: "Was this helpful?",
    helpful_yes: "Yes",
    helpful_no: "No",
    helpful_thanks: "Thanks for your feedback.",
    updated: "Updated {date}",
    not_in_locale: "This article is not available in this language.",
    unread_one: "{n} unread message",
    unread_many: "{n} unread messages",
    chat_placeholder: "Ask a question…",
    chat_label: "Message",
    send: "Send",
    talk_to_person: "Talk to a person",
    solved_question: "Did this solve it?",
    solved_yes: "Yes, thanks",
    solved_no: "No",
    open_article: "Open article",
    clarify: "Which of these do you mean?",
    dont_know: "I couldn't find an answer to that in the help centre.",
    checks_title: "Before we go on, please check:",
    urgent_title: "Do this now to protect your account:",
    step_of: "Step {i} of {n}",
    skip: "Skip",
    leave_form: "Leave the form",
    channels_title: "How would you like to reach us?",
    chat_closed: "Live chat is closed right now; a ticket reaches the same team.",
    summary_title: "What we will pass on:",
    handed_over:
        "Your conversation and the details you gave have been passed to our team, so you won't need to repeat yourself.",
    resolved: "Glad that helped.",
    blocked_title: "Not sent: this looks like something secret",
    edit_and_resend: "Remove it and send again.",
    restart: "Start over",
    link_warning: "This message links outside our official sites.",
    attach_file: "Choose a file",
};

static ZH_CN: Strings = Strings {
    launcher_open: "打开客服",
    launcher_close: "关闭客服",
    panel_title: "客服中心",
    panel_subtitle: "随时解答，人工 7×24 小时在线",
    close: "关闭",
    sections: "客服功能",
    tab_help: "帮助",
    tab_chat: "咨询",
    tab_tickets: "我的工单",
    search_label: "搜索帮助中心",
    search_placeholder: "搜索：充币、谷歌验证、手续费…",
    categories: "分类",
    help_empty_title: "帮助中心暂无内容",
    help_empty_body: "加载内容包后，文章和分类会显示在这里。",
    chat_empty_title: "有什么可以帮您？",
    chat_empty_body: "智能助手根据帮助中心为您解答，随时可以转人工客服。",
    tickets_empty_title: "暂无工单",
    tickets_empty_body: "您提交给客服团队的工单会显示在这里，包括处理状态和回复。",
    loading: "正在加载帮助中心…",
    help_failed_title: "帮助中心加载失败",
    help_failed_body: "请检查网络后重新打开，或在“咨询”中向我们提问。",
    announcements: "公告",
    back: "← 返回",
    articles_one: "{n} 篇文章",
    articles_many: "{n} 篇文章",
    results_one: "{n} 条结果",
    results_many: "{n} 条结果",
    no_results_title: "没有找到相关文章",
    no_results_body: "换个说法试试，或在“咨询”中提问：智能助手和客服团队都可以帮您。",
    related: "相关文章",
    helpful_question: "这篇文章对您有帮助吗？",
    helpful_yes: "有帮助",
    helpful_no: "没帮助",
    helpful_thanks: "感谢您的反馈。",
    updated: "更新于 {date}",
    not_in_locale: "这篇文章暂无当前语言版本。",
    unread_one: "{n} 条未读消息",
    unread_many: "{n} 条未读消息",
    chat_placeholder: "请输入您的问题…",
    chat_label: "消息",
    send: "发送",
    talk_to_person: "联系人工客服",
    solved_question: "这解决您的问题了吗？",
    solved_yes: "解决了",
    solved_no: "没有",
    open_article: "查看文章",
    clarify: "您想问的是哪一个？",
    dont_know: "抱歉，帮助中心里没有找到这个问题的答案。",
    checks_title: "继续之前，请先检查：",
    urgent_title: "请立即采取以下措施保护账户：",
    step_of: "第 {i} 步，共 {n} 步",
    skip: "跳过",
    leave_form: "退出表单",
    channels_title: "您希望通过哪种方式联系我们？",
    chat_closed: "在线客服当前不在服务时间，工单同样由客服团队处理。",
    summary_title: "我们会转交以下信息：",
    handed_over: "对话记录和您提供的信息已转交客服团队，无需重复描述。",
    resolved: "很高兴能帮到您。",
    blocked_title: "未发送：内容疑似包含敏感信息",
    edit_and_resend: "请删除后重新发送。",
    restart: "重新开始",
    link_warning: "该消息包含非官方网站的链接。",
    attach_file: "选择文件",
};
