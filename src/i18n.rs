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
    pub unread_one: &'static str,
    pub unread_many: &'static str,
}

impl Strings {
    /// "3 unread messages", for the launcher badge's accessible name.
    pub fn unread(&self, count: u32) -> String {
        let template = if count == 1 {
            self.unread_one
        } else {
            self.unread_many
        };
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
    chat_empty_body:
        "Our assistant answers from the help centre, and a person can take over at any time.",
    tickets_empty_title: "No tickets yet",
    tickets_empty_body: "Requests you send to our team appear here, with their status and replies.",
    unread_one: "{n} unread message",
    unread_many: "{n} unread messages",
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
    unread_one: "{n} 条未读消息",
    unread_many: "{n} 条未读消息",
};
