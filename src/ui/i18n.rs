//! The message catalog: every piece of UI text, in English and Simplified Chinese.
//!
//! Owns: `Lang`, `Msg` and the two translations of each message, the words for the domain's
//! enumerations (buckets, promise and machine states, channels). Must not touch: layout,
//! styles, the app. Terms follow DOMAIN.md's glossary.

use crate::domain::{Bucket, Channel, PromiseState};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// `en`, `zh`, or a locale such as `zh_CN.UTF-8` / `en_US`.
    pub fn parse(text: &str) -> Option<Lang> {
        let t = text.trim().to_ascii_lowercase();
        if t.starts_with("zh") {
            Some(Lang::Zh)
        } else if t.starts_with("en") || t == "c" || t == "posix" || t.starts_with("c.") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language of the environment: `LC_ALL`, else `LC_MESSAGES`, else `LANG`; English
    /// when none is set or none names a language we have.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(value) = std::env::var(var)
                && !value.is_empty()
            {
                return Lang::parse(&value).unwrap_or_default();
            }
        }
        Lang::En
    }

    pub fn t(self, msg: Msg) -> &'static str {
        let (en, zh) = msg.texts();
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    /// A message with `{}` placeholders filled in order.
    pub fn f(self, msg: Msg, args: &[&str]) -> String {
        let mut out = String::new();
        let mut args = args.iter();
        let mut rest = self.t(msg);
        while let Some(at) = rest.find("{}") {
            out.push_str(&rest[..at]);
            out.push_str(args.next().copied().unwrap_or(""));
            rest = &rest[at + 2..];
        }
        out.push_str(rest);
        out
    }

    pub fn bucket(self, bucket: Bucket) -> &'static str {
        match (self, bucket) {
            (Lang::Zh, Bucket::Current) => "未逾期",
            (Lang::En, Bucket::Current) => "current",
            (_, b) => b.label(),
        }
    }

    pub fn promise(self, state: PromiseState) -> &'static str {
        self.t(match state {
            PromiseState::Kept => Msg::PromiseKept,
            PromiseState::Due => Msg::PromiseDue,
            PromiseState::Broken => Msg::PromiseBroken,
        })
    }

    /// Machine states as the app names them (`normal`, `locked`, `towed`).
    pub fn machine(self, name: &str) -> &'static str {
        self.t(match name {
            "locked" => Msg::MachineLocked,
            "towed" => Msg::MachineTowed,
            _ => Msg::MachineNormal,
        })
    }

    pub fn channel(self, channel: Channel) -> &'static str {
        self.t(match channel {
            Channel::Call => Msg::ChannelCall,
            Channel::Visit => Msg::ChannelVisit,
            Channel::Sms => Msg::ChannelSms,
            Channel::Wechat => Msg::ChannelWechat,
        })
    }

    /// Channel names as the app's views give them.
    pub fn channel_name(self, name: &str) -> &'static str {
        Channel::parse(name).map_or("?", |c| self.channel(c))
    }

    /// Payment and waiver states as the app names them.
    pub fn status(self, name: &str) -> &'static str {
        self.t(match name {
            "pending" => Msg::StatusPending,
            "confirmed" => Msg::StatusConfirmed,
            "void" => Msg::StatusVoid,
            "approved" => Msg::StatusApproved,
            "rejected" => Msg::StatusRejected,
            "settled" => Msg::StatusSettled,
            "repossessed" => Msg::StatusRepossessed,
            "in_review" => Msg::StatusInReview,
            "withdrawn" => Msg::StatusWithdrawn,
            "scheduled" => Msg::StatusScheduled,
            "done" => Msg::StatusDone,
            "failed" => Msg::StatusFailed,
            _ => Msg::StatusActive,
        })
    }

    /// Machine stock states as the app names them (`in_stock`, `reserved`, …).
    pub fn stock_state(self, name: &str) -> &'static str {
        self.t(match name {
            "reserved" => Msg::StockReserved,
            "shipped" => Msg::StockShipped,
            "towed_back" => Msg::StockTowedBack,
            _ => Msg::StockInStock,
        })
    }

    /// Outbound order states as the app names them (`draft`, `submitted`, …).
    pub fn order_state(self, name: &str) -> &'static str {
        self.t(match name {
            "submitted" => Msg::OrderSubmitted,
            "approved" => Msg::OrderApproved,
            "shipped" => Msg::OrderShipped,
            "cancelled" => Msg::OrderCancelled,
            _ => Msg::OrderDraft,
        })
    }

    /// The name of a document type (`tow`, `lock`, …) in this language.
    /// An unknown name is shown as it is rather than as another document's name.
    pub fn document(self, name: &'static str) -> &'static str {
        let msg = match name {
            "tow" => Msg::DocTow,
            "lock" => Msg::DocLock,
            "unlock" => Msg::DocUnlock,
            "waiver" => Msg::DocWaiver,
            "outbound" => Msg::DocOutbound,
            "budget" => Msg::DocBudget,
            "contract" => Msg::DocContract,
            other => return other,
        };
        self.t(msg)
    }
}

macro_rules! catalog {
    ($($name:ident => $en:literal, $zh:literal;)*) => {
        /// One UI message. Its English and Chinese texts sit side by side below.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg { $($name),* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$name),*];

            pub fn texts(self) -> (&'static str, &'static str) {
                match self { $(Msg::$name => ($en, $zh)),* }
            }
        }
    };
}

catalog! {
    AppTitle => "duedesk", "duedesk";
    ScreenDashboard => "Overdue", "逾期客户";
    ScreenTicket => "Collection ticket", "催收单";
    ScreenPayments => "Payments", "收款确认";
    ScreenSettings => "Settings", "设置";
    ScreenApprovals => "Approvals", "审批";
    ScreenTows => "Tow board", "拖机登记";
    ScreenRules => "Rules", "审批规则";
    ScreenAudit => "Audit trail", "操作记录";
    UnreadCount => "{} unread", "未读通知 {}";

    // Dashboard
    TotalsLine => "{} overdue contracts · overdue {} · penalty {}", "逾期合同 {} 笔 · 逾期金额 {} · 罚息 {}";
    AgingTitle => "Aging", "账龄";
    ColCustomer => "Customer", "客户";
    ColContract => "Contract", "合同";
    ColBranch => "Branch", "网点";
    ColCollector => "Collector", "催收人员";
    ColDays => "Days", "天数";
    ColOverdue => "Overdue", "逾期金额";
    ColPenalty => "Penalty", "罚息";
    ColLastContact => "Contacted", "最近联系";
    ColPromise => "Promise", "承诺";
    ColMachine => "Machine", "机器";
    ColCount => "Count", "笔数";
    ColAmount => "Amount", "金额";
    RowsShown => "{} of {}", "{} / {}";
    NoRows => "No overdue contracts match.", "没有符合条件的逾期合同。";
    SearchPrompt => "Search: ", "搜索：";
    SearchHint => "name, contract, phone, serial, pinyin", "姓名、合同号、电话、机号、拼音";
    FilterTitle => "Filter", "筛选";
    FilterAll => "(all)", "（全部）";
    FilterBucket => "Bucket", "账龄";
    SortTitle => "Sort by", "排序";
    Ascending => "ascending", "升序";
    Descending => "descending", "降序";
    ActiveFilter => "filter: {}", "筛选：{}";
    ActiveSearch => "search: {}", "搜索：{}";
    SortedBy => "sort: {} {}", "排序：{} {}";

    PromiseKept => "kept", "已兑现";
    PromiseDue => "due", "待兑现";
    PromiseBroken => "broken", "已违约";
    MachineNormal => "normal", "正常";
    MachineLocked => "locked", "已锁机";
    MachineTowed => "towed", "已拖机";
    ChannelCall => "call", "电话";
    ChannelVisit => "visit", "上门";
    ChannelSms => "SMS", "短信";
    ChannelWechat => "WeChat", "微信";
    StatusPending => "pending", "待确认";
    StatusConfirmed => "confirmed", "已确认";
    StatusVoid => "void", "已作废";
    StatusApproved => "approved", "已批准";
    StatusRejected => "rejected", "已驳回";
    StatusActive => "active", "正常";
    StatusSettled => "settled", "已结清";
    StatusRepossessed => "repossessed", "已收回";
    StatusInReview => "in review", "审批中";
    StatusWithdrawn => "withdrawn", "已撤回";
    StatusScheduled => "scheduled", "已登记";
    StatusDone => "done", "已完成";
    StatusFailed => "failed", "失败";
    DocTow => "tow", "拖机";
    DocLock => "lock", "锁机";
    DocUnlock => "unlock", "解锁";
    DocWaiver => "waiver", "利息减免";
    DocOutbound => "outbound", "交机出库";
    DocBudget => "budget", "资金预算";
    DocContract => "contract", "合同审核";

    // Ticket
    TicketHeader => "{} · {} · {} · collector {}", "{} · {} · {} · 催收人员 {}";
    TicketMachine => "{} {} · machine {} · contract {}", "{} {} · 机器{} · 合同{}";
    LabelDaysOverdue => "Days overdue", "逾期天数";
    LabelOverdueAmount => "Overdue amount", "逾期金额";
    LabelPenaltyAccrued => "Penalty accrued", "罚息累计";
    LabelPenaltyWaived => "Penalty waived", "罚息已减免";
    LabelPenaltyPaid => "Penalty paid", "罚息已还";
    LabelPenaltyOutstanding => "Penalty outstanding", "罚息余额";
    LabelRate => "Rate/day", "日罚息利率";
    LabelGrace => "Grace days", "宽限期";
    LabelPending => "Pending payments", "待确认收款";
    LabelToCollect => "To collect", "应催收";
    LabelOutstanding => "Outstanding", "未还总额";
    PaneInstallments => "Installments", "还款计划";
    PanePayments => "Payments", "收款";
    PaneContacts => "Contacts", "催收记录";
    PaneApplications => "Applications", "申请";
    ColSeq => "#", "期";
    ColDue => "Due", "到期日";
    ColPrincipal => "Principal", "本金";
    ColInterest => "Interest", "利息";
    ColOwing => "Owing", "未还";
    ColDate => "Date", "日期";
    ColMethod => "Method", "方式";
    ColReference => "Reference", "凭证";
    ColStatus => "Status", "状态";
    ColBy => "By", "经办";
    ColChannel => "Channel", "方式";
    ColResult => "Result", "结果";
    ColNote => "Note", "备注";
    ColReason => "Reason", "原因";
    ColType => "Type", "类型";
    ColId => "Id", "编号";
    Empty => "(none)", "（无）";

    // Forms
    FormContact => "Add contact", "新增催收记录";
    FormPayment => "Record payment", "登记收款";
    FormWaiver => "Apply for interest waiver", "申请利息减免";
    FormVoid => "Void payments", "作废收款";
    FormRate => "Set penalty rate", "设置罚息利率";
    FormGrace => "Set grace days", "设置宽限期";
    FieldChannel => "Channel", "方式";
    FieldResult => "Result", "结果";
    FieldNote => "Note", "备注";
    FieldPromiseDate => "Promise date", "承诺日期";
    FieldPromiseAmount => "Promise amount", "承诺金额";
    FieldReceivedOn => "Received on", "收款日期";
    FieldAmount => "Amount", "金额";
    FieldMethod => "Method", "方式";
    FieldReference => "Reference", "凭证号";
    FieldReason => "Reason", "原因";
    FieldContract => "Contract (blank: global)", "合同号（空为全局）";
    FieldFrom => "Effective from", "生效日期";
    FieldDailyRate => "Daily rate", "日利率";
    FieldDays => "Days", "天数";
    FormHelp => "Tab/Up/Down move · Left/Right choose · Enter save · Esc cancel", "Tab/上下 切换 · 左右 选择 · Enter 保存 · Esc 取消";
    ErrRequired => "required", "必填";
    ErrDate => "date as YYYY-MM-DD", "日期格式 YYYY-MM-DD";
    ErrDateFuture => "after today", "晚于今天";
    ErrDatePast => "before today", "早于今天";
    ErrAmount => "amount such as 1234.50", "金额如 1234.50";
    ErrAmountZero => "must be more than 0", "须大于 0";
    ErrPromisePair => "give both date and amount", "日期和金额须同时填写";
    ErrRate => "daily rate such as 0.0005", "日利率如 0.0005";
    ErrInteger => "whole number of days", "整数天数";
    ErrMoreThanPenalty => "more than penalty outstanding {}", "超过罚息余额 {}";
    FormHasErrors => "Fix the marked fields first.", "请先修正标出的字段。";

    // Confirmations
    ConfirmTitle => "Confirm", "确认";
    ConfirmSettle => "Settle contract {}? This closes the ticket and cannot be undone.", "结清合同 {}？将关闭催收单，不可撤销。";
    ConfirmPayments => "Confirm {} payment(s), {} in total? This cannot be undone.", "确认 {} 笔收款，共 {}？不可撤销。";
    ConfirmQuit => "A form holds unsaved input. Quit anyway?", "表单有未保存的内容。仍要退出吗？";
    ConfirmYesNo => "y yes · n no", "y 是 · n 否";

    // Payments screen
    SelectedCount => "{} selected · {}", "已选 {} 笔 · {}";
    NoPending => "No payments wait for confirmation.", "没有待确认的收款。";

    // Settings screen
    GlobalRates => "Global penalty rates", "全局罚息利率";
    GlobalGrace => "Global grace days: {}", "全局宽限期：{} 天";
    AllocationOrder => "Allocation order: {}", "冲销顺序：{}";
    AccruedThrough => "Penalty accrued through: {}", "罚息计提至：{}";
    Never => "never", "尚未计提";
    OrderDefault => "due money first, then penalty", "先还到期本息，再还罚息";
    OrderStatutory => "statutory (Civil Code art. 561)", "法定顺序（民法典第561条）";
    SettingsNote => "Per-contract rate and grace: give a contract number in the form.", "单个合同的利率和宽限期：在表单中填写合同号。";

    // Status
    // What a change did, said in the status line after it is saved.
    DonePayment => "Payment {} of {} on {} recorded, awaiting confirmation", "收款 {}（{}，合同 {}）已登记，待确认";
    DonePaymentConfirmed => "Payment {} of {} on {} recorded and confirmed", "收款 {}（{}，合同 {}）已登记并确认";
    DoneConfirm => "Payment {} confirmed", "收款 {} 已确认";
    DoneConfirmMany => "{} payments confirmed", "已确认 {} 笔收款";
    DoneVoid => "Payment {} voided", "收款 {} 已作废";
    DoneContact => "Contact on {} logged", "合同 {} 的催收记录已保存";
    DoneContactPromise => "Contact on {} logged; promise to pay {} by {}", "合同 {} 的催收记录已保存；承诺还款 {}（{} 前）";
    DoneApplication => "{} application {} on {} submitted", "{}申请 {}（合同 {}）已提交";
    DoneWaiver => "Waiver application {} of {} on {} submitted", "利息减免申请 {}（{}，合同 {}）已提交";
    DoneApprove => "{}: approved at your step", "{}：您这一步已批准";
    DoneReject => "{} rejected and returned to its applicant", "{} 已驳回，退回申请人";
    DoneTowRegistered => "Tow {} registered for {}", "拖机 {} 已登记，计划 {} 拖机";
    DoneTowCompleted => "Tow {} done: machine in {}", "拖机 {} 已完成：设备入库 {}";
    DoneTowFailed => "Tow {} recorded as failed", "拖机 {} 已记录为失败";
    DoneRate => "Daily penalty rate {} from {} ({})", "日罚息利率 {}，{} 起（{}）";
    DoneGrace => "Grace days: {} ({})", "宽限期：{} 天（{}）";
    AllContracts => "all contracts", "全部合同";
    ContractNo => "contract {}", "合同 {}";
    DoneRules => "Approval rules saved: {} rules", "审批规则已保存：{} 条";
    DoneSettle => "Contract {} settled", "合同 {} 已结清";
    DoneRead => "Marked read", "已标为已读";
    DoneOrderCreated => "Order {} created for {}", "出库单 {} 已创建（合同 {}）";
    DoneOrderSubmitted => "Order {} submitted for approval", "出库单 {} 已提交审批";
    DoneOrderCancelled => "Order {} cancelled", "出库单 {} 已取消";
    DonePick => "{} reserved for order {}", "机号 {} 已为出库单 {} 预留";
    DoneSwap => "Order {} now holds {}", "出库单 {} 已换为机号 {}";
    DoneShip => "Order {} shipped on {}", "出库单 {} 已于 {} 出库";
    DoneAccessory => "{} × {} added to order {}", "{} × {} 已加入出库单 {}";
    Refused => "Refused: {}", "未执行：{}";
    Help => "Keys", "按键";
    HelpClose => "Esc or ? closes", "Esc 或 ? 关闭";
    TooSmall => "Terminal too small: 80×24 needed", "终端太小：至少 80×24";

    // Approvals inbox
    PanePending => "Awaiting me", "待我审批";
    PaneNotifications => "Notifications", "通知";
    NoPendingSteps => "Nothing awaits your decision.", "没有待您审批的申请。";
    NoNotifications => "No notifications.", "没有通知。";
    ColApplicant => "Applicant", "申请人";
    ColStep => "Step", "当前环节";
    ColOutstanding => "Outstanding", "未还总额";
    ColText => "Notification", "通知内容";
    ColDelivery => "Sent", "推送";
    DetailSubmitted => "{} {} on {} · by {} on {} · rule '{}' v{}", "{} {} · 合同 {} · {} 于 {} 提交 · 规则「{}」第 {} 版";
    DetailFigures => "At submission: {} days overdue · overdue {} · penalty {} · outstanding {}", "提交时：逾期 {} 天 · 逾期金额 {} · 罚息 {} · 未还总额 {}";
    DetailReason => "Reason: {}", "原因：{}";
    DetailLocation => "Machine location: {}", "机器位置：{}";
    DetailAmount => "Amount asked: {}", "申请金额：{}";
    DetailChain => "Chain: {}", "审批流程：{}";
    DetailHistory => "History", "审批记录";
    DetailTowPlan => "Tow: {} · crew {} · at {} · registered by {}", "拖机：{} · 人员 {} · 地点 {} · 登记人 {}";
    DetailTowNote => "Note: {}", "备注：{}";
    DetailTowDone => "Towed back {} to {} · condition {} · cost {}", "{} 拖回 {} · 机况 {} · 费用 {}";
    DetailTowFailed => "Failed: {}", "失败：{}";
    ActSubmitted => "submitted", "提交";
    ActApproved => "approved", "同意";
    ActRejected => "rejected", "驳回";
    ActResubmitted => "resubmitted", "重新提交";
    ActWithdrawn => "withdrawn", "撤回";
    DeliveryPending => "pending", "待推送";
    DeliveryDelivered => "sent", "已推送";
    DeliveryFailed => "failed", "推送失败";

    // Tow board
    TowAwaiting => "Approved, awaiting registration ({})", "已批准，待登记（{}）";
    TowScheduled => "Registered and scheduled ({})", "已登记，待拖机（{}）";
    TowFinished => "Done or failed ({})", "已完成或失败（{}）";
    ColPlanned => "Planned", "计划日期";
    ColCrew => "Crew", "拖机人员";
    ColLocation => "Location", "位置";
    ColOutcome => "Outcome", "结果";
    FormRegisterTow => "Register tow {}", "拖机登记 {}";
    FormCompleteTow => "Tow {} done", "拖机完成 {}";
    FormFailTow => "Tow {} failed", "拖机失败 {}";
    FieldCrew => "Crew (a, b, …)", "拖机人员（逗号分隔）";
    FieldPlannedOn => "Planned date", "计划日期";
    FieldLocation => "Location", "地点";
    FieldTowedOn => "Towed on", "拖回日期";
    FieldYard => "Yard", "停放场地";
    FieldCondition => "Condition", "机况";
    FieldCost => "Cost", "费用";
    FieldComment => "Comment", "意见";
    FieldMachineLocation => "Machine location", "机器位置";
    ConfirmCompleteTow => "Record tow {} as towed back on {} to {}? The contract becomes repossessed; this cannot be undone.", "确认拖机 {} 已于 {} 拖回 {}？合同将标记为已收回，不可撤销。";
    NotOnBoard => "Only approved tows are registered here.", "只有已批准的拖机申请可以在此登记。";
    NotScheduled => "Register the tow first; only a scheduled tow has an outcome.", "请先登记；只有已登记的拖机才能记录结果。";

    // Decisions and applications
    FormApprove => "Approve {}", "审批同意 {}";
    FormReject => "Reject {}", "驳回 {}";
    FormApplyLock => "Apply to lock {}", "申请锁机 {}";
    FormApplyUnlock => "Apply to unlock {}", "申请解锁 {}";
    FormApplyTow => "Apply to tow {}", "申请拖机 {}";

    // Rules screen
    RulesVersion => "Approval rules in force: version {} · {} rules", "现行审批规则：第 {} 版 · {} 条";
    RulesBuiltin => "Approval rules in force: the built-in defaults (no version set yet)", "现行审批规则：内置默认规则（尚未设置）";
    RulesReadOnly => "Read only: only an admin changes the rules.", "只读：只有管理员可以修改审批规则。";
    RulesEditHint => "e edits the whole set as TOML; the first matching rule of a document type applies.", "按 e 以 TOML 编辑整套规则；每类单据按顺序匹配第一条规则。";
    RulesEditing => "Editing approval rules (TOML)", "编辑审批规则（TOML）";
    RulesValid => "Valid: {} rules. C-s saves as a new version.", "校验通过：{} 条规则。C-s 保存为新版本。";
    RulesProblems => "{} problem(s): fix them before saving", "{} 处问题：修正后才能保存";
    RulesEditorHelp => "C-s save · Esc cancel", "C-s 保存 · Esc 取消";
    RulesNotAdmin => "Only an admin changes the approval rules.", "只有管理员可以修改审批规则。";
    ConfirmDiscardRules => "Discard your changes to the rules?", "放弃对审批规则的修改？";
    ColRule => "Rule", "规则";
    ColConditions => "Conditions", "条件";
    ColChain => "Chain", "审批流程";
    CondBranch => "branch {}", "网点 {}";
    CondDays => ">= {} days", "逾期 >= {} 天";
    CondOverdue => "overdue >= {}", "逾期金额 >= {}";
    CondAmount => "amount >= {}", "金额 >= {}";
    CondNone => "(default)", "（默认）";

    // Audit trail
    AuditTitle => "Audit trail of {} · {} entries", "{} 的操作记录 · 共 {} 条";
    ColWhen => "When", "时间";
    ColWho => "Who", "操作人";
    ColWhat => "What", "操作";
    ColDetail => "Detail", "内容";

    // Commands (hint bar and help)
    CmdQuit => "quit", "退出";
    CmdHelp => "help", "帮助";
    CmdNextScreen => "next screen", "下一屏";
    CmdPrevScreen => "previous screen", "上一屏";
    CmdScreen1 => "overdue", "逾期客户";
    CmdScreen2 => "payments", "收款确认";
    CmdScreen3 => "settings", "设置";
    CmdDown => "down", "下移";
    CmdUp => "up", "上移";
    CmdTop => "top", "顶部";
    CmdBottom => "bottom", "底部";
    CmdPageDown => "page down", "下一页";
    CmdPageUp => "page up", "上一页";
    CmdHalfDown => "half page down", "下半页";
    CmdHalfUp => "half page up", "上半页";
    CmdOpen => "open", "打开";
    CmdBack => "back", "返回";
    CmdSearch => "search", "搜索";
    CmdFilter => "filter", "筛选";
    CmdSort => "sort", "排序";
    CmdClear => "clear", "清除";
    CmdContact => "contact", "催收记录";
    CmdPayment => "payment", "收款";
    CmdWaiver => "waiver", "减免";
    CmdSettle => "settle", "结清";
    CmdNextPane => "next pane", "下一栏";
    CmdPrevPane => "previous pane", "上一栏";
    CmdToggle => "select", "选择";
    CmdSelectAll => "select all", "全选";
    CmdConfirm => "confirm", "确认";
    CmdVoid => "void", "作废";
    CmdRate => "rate", "利率";
    CmdGrace => "grace days", "宽限期";
    CmdReload => "reload", "刷新";
    CmdScreen4 => "approvals", "审批";
    CmdScreen5 => "tow board", "拖机登记";
    CmdScreen6 => "approval rules", "审批规则";
    CmdApprove => "approve", "审批同意";
    CmdReject => "reject", "驳回";
    CmdMarkRead => "mark read", "标为已读";
    CmdMarkAllRead => "mark all read", "全部已读";
    CmdRegisterTow => "register tow", "拖机登记";
    CmdCompleteTow => "tow done", "拖回";
    CmdFailTow => "tow failed", "拖机失败";
    CmdApplyLock => "lock/unlock", "锁机/解锁";
    CmdApplyTow => "tow", "拖机申请";
    CmdAudit => "audit trail", "操作记录";
    CmdEdit => "edit", "编辑";

    // Machine system (整机系统): stock browser, outbound orders, pick and swap dialogs.
    ScreenStock => "Stock", "库存";
    ScreenOutbound => "Outbound", "交机出库";
    CmdScreen7 => "stock", "库存";
    CmdScreen8 => "outbound orders", "交机出库";
    CmdNewOrder => "new order", "新建出库单";
    CmdPick => "pick serial", "选机号";
    CmdAddLine => "add accessory", "添加附件";
    CmdSubmitOrder => "submit", "提交审批";
    CmdShip => "ship", "出库";
    CmdSwap => "sales swap", "销售换机";
    CmdCancelOrder => "cancel order", "取消出库单";
    StockTotals => "{} models · {} machines", "{} 个机型 · {} 台";
    StockOfModel => "{} ({}) · {} machines", "{}（{}）· {} 台";
    ColModel => "Model", "机型";
    ColInStock => "In stock", "在库";
    ColReserved => "Reserved", "已预留";
    ColShipped => "Shipped", "已出库";
    ColTowedBack => "Towed back", "已拖回";
    ColMaxDays => "Max days", "最长库龄";
    ColAvgDays => "Avg days", "平均库龄";
    ColSerial => "Serial", "机号";
    ColState => "State", "状态";
    ColYard => "Yard", "场地";
    ColDaysInStock => "Days", "库龄";
    ColHolder => "Held by", "占用";
    NoMachines => "No machines match.", "没有符合条件的机器。";
    FilterYard => "Yard", "场地";
    FilterState => "State", "状态";
    StockInStock => "in stock", "在库";
    StockReserved => "reserved", "已预留";
    StockShipped => "shipped", "已出库";
    StockTowedBack => "towed back", "已拖回";
    OrderDraft => "draft", "草稿";
    OrderSubmitted => "in approval", "审批中";
    OrderApproved => "approved", "已批准";
    OrderShipped => "shipped", "已出库";
    OrderCancelled => "cancelled", "已取消";
    ColOrder => "Order", "出库单";
    ColSalesperson => "Salesperson", "销售员";
    NoOrders => "No outbound orders.", "没有出库单。";
    OrderHeading => "Outbound order {} · contract {}", "交机出库单 {} · 合同 {}";
    LabelContractModel => "Contract model", "合同机型";
    LabelSerial => "Serial", "机号";
    LabelSubstitute => "(same-type substitute)", "（同类替代）";
    LabelApplication => "Approval", "审批单";
    LabelShipped => "Shipped", "出库";
    LabelCancelled => "Cancelled", "取消原因";
    NotPicked => "not picked yet", "尚未选机";
    AccessoryLines => "Accessory outbound", "附件出库";
    ColCode => "Code", "编码";
    ColName => "Name", "名称";
    ColQuantity => "Qty", "数量";
    ColLine => "Line", "类型";
    LineContract => "contract", "合同内";
    LineExtra => "extra", "额外";
    NoLines => "No accessory lines.", "没有附件。";
    SwapsTitle => "Sales swaps", "销售换机";
    SwapLine => "{} {} → {} by {}: {}", "{} {} → {}（{}）：{}";
    FormNewOrder => "New outbound order", "新建出库单";
    FormAccessory => "Add accessory line", "添加附件";
    FormShip => "Ship", "出库发运";
    FormCancelOrder => "Cancel order", "取消出库单";
    FieldContractNo => "Contract", "合同号";
    FieldCode => "Accessory code", "附件编码";
    FieldQuantity => "Quantity", "数量";
    FieldExtra => "Not in contract", "额外（合同外）";
    FieldShipOn => "Ship date", "出库日期";
    FieldCarrier => "Carrier", "承运人";
    ToggleYes => "yes", "是";
    ToggleNo => "no", "否";
    ErrUnknownAccessory => "no such accessory", "无此附件";
    ErrNotEnough => "only {} available", "仅可用 {}";
    ErrQuantity => "a whole number, at least 1", "不小于 1 的整数";
    AccessoryAvailable => "{} {}: {} {} available", "{} {}：可用 {} {}";
    MachineMissing => "machine {} is not in the stock records", "库存记录中没有机器 {}";
    SwapNeedsShipped => "A sales swap is for shipped orders; order {} is {}.", "销售换机仅用于已出库的出库单；出库单 {} 当前为{}。";
    Labelled => "{}: {}", "{}：{}";
    PickTitle => "Pick a serial · order {} · {}", "选机号 · 出库单 {} · {}";
    SwapTitle => "Sales swap · order {} · replaces {}", "销售换机 · 出库单 {} · 替换 {}";
    PickFilter => "Filter: ", "筛选：";
    PickHint => "serial, model, yard", "机号、机型、场地";
    PickNone => "No machine in stock matches.", "没有符合条件的在库机器。";
    PickFooter => "type to filter · Up/Down · Enter pick · Esc close", "输入筛选 · 上下 选择 · Enter 选定 · Esc 关闭";
    SwapFooter => "Tab reason · Up/Down · Enter swap · Esc close", "Tab 原因 · 上下 选择 · Enter 换机 · Esc 关闭";
    ConfirmShip => "Ship order {} (machine {}) on {}? Stock goes down and the contract is delivered.", "出库单 {}（机号 {}）于 {} 出库？库存将减少，合同将交付。";
    ConfirmCancelOrder => "Cancel order {} ({})? Its machine and accessories are released.", "取消出库单 {}（{}）？机器和附件将释放。";

    // A branch site's sync, on the status line
    SyncState => "{} pending · synced {}", "待同步 {} · 上次同步 {}";
    SyncNever => "never", "从未";
    SyncConflicts => "{} conflicts", "同步冲突 {}";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages() {
        for msg in Msg::ALL {
            let (en, zh) = msg.texts();
            assert!(!en.is_empty() && !zh.is_empty(), "{msg:?}");
            assert_eq!(
                en.matches("{}").count(),
                zh.matches("{}").count(),
                "{msg:?} placeholders differ"
            );
        }
    }

    #[test]
    fn locales_pick_a_language() {
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::Zh));
        assert_eq!(Lang::parse("en_US.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("C.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("fr_FR"), None);
        assert_eq!(Lang::Zh.f(Msg::RowsShown, &["3", "9"]), "3 / 9");
    }
}
