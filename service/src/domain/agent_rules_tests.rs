use super::*;

fn at(s: u32) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(1_700_000_000 + i64::from(s), 0)
        .unwrap()
        .naive_utc()
}

fn worker(board: Uuid) -> AgentCaller {
    AgentCaller {
        id: Uuid::new_v4(),
        board_id: Some(board),
        organization_id: Uuid::new_v4(),
        is_board_lead: false,
    }
}

fn task(status: TaskStatus, assignee: Option<Uuid>) -> TaskFacts {
    TaskFacts {
        status,
        assigned_agent_id: assignee,
        in_progress_at: Some(at(1)),
        is_blocked: false,
    }
}

fn worker_to(agent: &AgentCaller, t: &TaskFacts, to: TaskStatus) -> Result<StatusOutcome, AgentRuleError> {
    plan_worker_status(agent, t, to, false, false, false, Some(Uuid::nil()), at(9))
}

#[test]
fn board_bound_agent_is_limited_to_its_board_and_main_agent_to_its_org() {
    let board = Uuid::new_v4();
    let a = worker(board);
    assert_eq!(check_scope(&a, board, Uuid::new_v4()), Ok(()));
    assert_eq!(
        check_scope(&a, Uuid::new_v4(), a.organization_id),
        Err(AgentRuleError::BoardMismatch)
    );
    let main = AgentCaller { board_id: None, ..a };
    assert_eq!(check_scope(&main, Uuid::new_v4(), a.organization_id), Ok(()));
    assert_eq!(
        check_scope(&main, board, Uuid::new_v4()),
        Err(AgentRuleError::BoardMismatch)
    );
}

#[test]
fn fields_outside_the_rule_set_are_named() {
    assert_eq!(check_fields(&["status", "comment"], &WORKER_FIELDS), Ok(()));
    assert_eq!(
        check_fields(&["status", "assigned_agent_id", "tag_ids"], &WORKER_FIELDS),
        Err(AgentRuleError::FieldForbidden(vec!["assigned_agent_id", "tag_ids"]))
    );
    assert_eq!(
        check_fields(&["comment"], &LEAD_FIELDS),
        Err(AgentRuleError::FieldForbidden(vec!["comment"]))
    );
}

#[test]
fn worker_claims_an_unassigned_task_by_moving_it_to_in_progress() {
    let a = worker(Uuid::new_v4());
    let out = worker_to(&a, &task(TaskStatus::Inbox, None), TaskStatus::InProgress).unwrap();
    assert_eq!(out.assigned_agent_id, Some(a.id));
    assert_eq!(out.in_progress_at, Some(at(9)));
    assert!(out.is_claim);
    let again = worker_to(&a, &task(TaskStatus::Inbox, Some(a.id)), TaskStatus::InProgress).unwrap();
    assert!(!again.is_claim);
}

#[test]
fn worker_may_not_touch_another_agents_task() {
    let a = worker(Uuid::new_v4());
    let t = task(TaskStatus::InProgress, Some(Uuid::new_v4()));
    assert_eq!(
        worker_to(&a, &t, TaskStatus::Review),
        Err(AgentRuleError::AssigneeMismatch)
    );
}

#[test]
fn only_lead_can_change_status_is_enforced_for_workers() {
    let a = worker(Uuid::new_v4());
    let t = task(TaskStatus::Inbox, None);
    let r = plan_worker_status(&a, &t, TaskStatus::InProgress, true, false, false, None, at(9));
    assert_eq!(r, Err(AgentRuleError::OnlyLeadCanChangeStatus));
}

#[test]
fn blocked_task_may_only_go_back_to_inbox() {
    let a = worker(Uuid::new_v4());
    let t = TaskFacts {
        is_blocked: true,
        ..task(TaskStatus::InProgress, Some(a.id))
    };
    assert_eq!(worker_to(&a, &t, TaskStatus::Review), Err(AgentRuleError::Blocked));
    let back = worker_to(&a, &t, TaskStatus::Inbox).unwrap();
    assert_eq!(back.assigned_agent_id, None);
    assert_eq!(back.previous_in_progress_at, Some(at(1)));
}

#[test]
fn review_assigns_the_lead_and_may_need_a_comment() {
    let a = worker(Uuid::new_v4());
    let lead = Uuid::new_v4();
    let t = task(TaskStatus::InProgress, Some(a.id));
    let r = plan_worker_status(&a, &t, TaskStatus::Review, false, true, false, Some(lead), at(9));
    assert_eq!(r, Err(AgentRuleError::CommentRequired));
    let ok = plan_worker_status(&a, &t, TaskStatus::Review, false, true, true, Some(lead), at(9)).unwrap();
    assert_eq!(ok.assigned_agent_id, Some(lead));
    assert_eq!(ok.in_progress_at, None);
}

#[test]
fn lead_moves_review_tasks_to_done_or_inbox_only() {
    let r = task(TaskStatus::Review, None);
    assert_eq!(plan_lead_status(&r, TaskStatus::Done, None), Ok(()));
    assert_eq!(plan_lead_status(&r, TaskStatus::Inbox, None), Ok(()));
    assert_eq!(
        plan_lead_status(&r, TaskStatus::InProgress, None),
        Err(AgentRuleError::LeadStatusTarget)
    );
    let p = task(TaskStatus::InProgress, None);
    assert_eq!(
        plan_lead_status(&p, TaskStatus::Done, None),
        Err(AgentRuleError::LeadStatusNotInReview)
    );
}

#[test]
fn lead_starts_an_inbox_task_only_with_an_assignment() {
    let i = task(TaskStatus::Inbox, None);
    assert_eq!(
        plan_lead_status(&i, TaskStatus::InProgress, Some(Uuid::new_v4())),
        Ok(())
    );
    assert_eq!(
        plan_lead_status(&i, TaskStatus::InProgress, None),
        Err(AgentRuleError::LeadStatusNotInReview)
    );
    let blocked = TaskFacts { is_blocked: true, ..i };
    assert_eq!(
        plan_lead_status(&blocked, TaskStatus::InProgress, Some(Uuid::new_v4())),
        Err(AgentRuleError::Blocked)
    );
}

#[test]
fn lead_inline_comment_is_refused() {
    assert_eq!(
        check_lead_inline_comment(Some("hi")),
        Err(AgentRuleError::LeadInlineComment)
    );
    assert_eq!(check_lead_inline_comment(None), Ok(()));
}

#[test]
fn sent_back_review_goes_to_the_last_worker_who_moved_it_to_review() {
    let (lead, w1, w2) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let history = [
        (Some(w1), TaskStatus::Review),
        (Some(w2), TaskStatus::InProgress),
        (Some(w2), TaskStatus::Review),
        (Some(lead), TaskStatus::Review),
        (None, TaskStatus::Review),
    ];
    assert_eq!(last_reviewing_worker(&history, lead), Some(w2));
    assert_eq!(last_reviewing_worker(&[], lead), None);
    assert!(changes_requested_message("T", Some("fix it")).contains("fix it"));
}

#[test]
fn lead_rules_for_create_and_comments() {
    let lead = Uuid::new_v4();
    assert_eq!(lead_auto_reason(lead), format!("lead_agent:{lead}"));
    let w = worker(Uuid::new_v4());
    assert_eq!(check_lead(&w), Err(AgentRuleError::LeadOnly));
    assert_eq!(
        check_lead(&AgentCaller {
            is_board_lead: true,
            ..w
        }),
        Ok(())
    );
    assert_eq!(check_lead_comment(TaskStatus::Review, false, false), Ok(()));
    assert_eq!(check_lead_comment(TaskStatus::Inbox, true, false), Ok(()));
    assert_eq!(check_lead_comment(TaskStatus::Inbox, false, true), Ok(()));
    assert_eq!(
        check_lead_comment(TaskStatus::InProgress, false, false),
        Err(AgentRuleError::LeadCommentForbidden)
    );
}

#[test]
fn the_status_of_a_status_change_message_is_read_back() {
    assert_eq!(moved_to("Task moved to review: Ship it."), Some(TaskStatus::Review));
    assert_eq!(
        moved_to("Task moved to in_progress: a: b."),
        Some(TaskStatus::InProgress)
    );
    assert_eq!(moved_to("Task updated: Ship."), None);
    assert_eq!(moved_to("Task moved to nowhere: x."), None);
}
