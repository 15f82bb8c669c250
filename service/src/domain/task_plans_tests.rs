use super::*;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn state(n: u128, status: TaskStatus) -> TaskState {
    TaskState {
        id: id(n),
        status,
        assigned_agent_id: None,
        in_progress_at: None,
        previous_in_progress_at: None,
    }
}

fn request<'a>(deps: &'a [Uuid], tags: &'a [Uuid]) -> NewTaskRequest<'a> {
    NewTaskRequest {
        id: id(1),
        board_id: id(100),
        title: "Ship",
        status: TaskStatus::Inbox,
        assigned_agent_id: None,
        depends_on_task_ids: deps,
        tag_ids: tags,
        actor_agent_id: None,
    }
}

#[test]
fn a_created_task_records_creation_and_tells_lead_and_assignee() {
    let now = crate::domain::now();
    let mut task = request(&[], &[]);
    task.assigned_agent_id = Some(id(7));
    task.status = TaskStatus::InProgress;
    let facts = CreateFacts {
        assignee_board: Some(Some(id(100))),
        board_lead: Some(id(8)),
        ..CreateFacts::default()
    };
    let plan = plan_create(&task, &facts, now).unwrap();
    assert_eq!(plan.in_progress_at, Some(now));
    let rows: Vec<_> = plan.activity.iter().map(|a| (a.event_type, a.agent_id)).collect();
    assert_eq!(
        rows,
        [
            ("task.created", None),
            ("task.lead_notify_failed", Some(id(8))),
            ("task.assignee_notify_failed", Some(id(7)))
        ]
    );
    assert_eq!(plan.activity[0].message, "Task created: Ship.");
    // An agent creating a task notifies nobody.
    task.actor_agent_id = Some(id(9));
    let plan = plan_create(&task, &facts, now).unwrap();
    assert_eq!(plan.activity.len(), 1);
    assert_eq!(plan.activity[0].agent_id, Some(id(9)));
}

#[test]
fn a_create_is_checked_against_the_board() {
    let now = crate::domain::now();
    let deps = [id(2), id(2)];
    let mut facts = CreateFacts {
        board_statuses: [(id(2), TaskStatus::Review)].into(),
        ..CreateFacts::default()
    };
    // Dependencies are de-duplicated; a blocked task may only wait in the inbox, unassigned.
    let plan = plan_create(&request(&deps, &[]), &facts, now).unwrap();
    assert_eq!(plan.depends_on_task_ids, [id(2)]);
    let mut moving = request(&deps, &[]);
    moving.status = TaskStatus::InProgress;
    assert_eq!(
        plan_create(&moving, &facts, now),
        Err(TaskRuleError::Blocked {
            blocked_by: vec![id(2)]
        })
    );
    // The assignee must exist in the organization and be on this board.
    let mut assigned = request(&[], &[]);
    assigned.assigned_agent_id = Some(id(7));
    assert_eq!(
        plan_create(&assigned, &facts, now),
        Err(TaskRuleError::AssigneeNotFound)
    );
    facts.assignee_board = Some(None);
    assert_eq!(
        plan_create(&assigned, &facts, now),
        Err(TaskRuleError::AssigneeOnOtherBoard)
    );
    facts.assignee_board = Some(Some(id(100)));
    assert!(plan_create(&assigned, &facts, now).is_ok());
    // Tags must exist.
    let tags = [id(30), id(31)];
    facts.found_tags = vec![id(30)];
    assert_eq!(
        plan_create(&request(&[], &tags), &facts, now),
        Err(TaskRuleError::MissingTags(vec![id(31)]))
    );
}

#[test]
fn an_update_records_comment_change_and_notifications_in_order() {
    let before = state(1, TaskStatus::InProgress);
    let plan = TaskPlan {
        status: TaskStatus::Review,
        assigned_agent_id: Some(id(8)),
        in_progress_at: None,
        previous_in_progress_at: None,
        depends_on_task_ids: None,
        status_changed: true,
    };
    let rows = plan_update_activity(&before, &plan, "Ship", Some("  done  "), Some(id(8)), None);
    let kinds: Vec<_> = rows.iter().map(|a| (a.event_type, a.message.as_str())).collect();
    assert_eq!(kinds[0], ("task.comment", "done"));
    assert_eq!(kinds[1], ("task.status_changed", "Task moved to review: Ship."));
    assert_eq!(rows[2].event_type, "task.assignee_notify_failed");
    let unchanged = TaskPlan {
        status: TaskStatus::InProgress,
        assigned_agent_id: None,
        status_changed: false,
        ..plan
    };
    let rows = plan_update_activity(&before, &unchanged, "Ship", Some("   "), None, None);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].message, "Task updated: Ship.");
}

#[test]
fn dependents_react_only_when_done_changes() {
    let deps = [Dependent {
        state: state(2, TaskStatus::Inbox),
        title: "Next".into(),
    }];
    assert!(plan_dependents(TaskStatus::Inbox, TaskStatus::Review, &deps, None).is_empty());
    let changes = plan_dependents(TaskStatus::Review, TaskStatus::Done, &deps, None);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].reset_to, None);
    assert_eq!(changes[0].activity.message, "Dependency completion changed: Next.");
}

#[test]
fn reopening_a_dependency_sends_started_dependents_back_to_the_inbox() {
    let now = crate::domain::now();
    let mut started = state(2, TaskStatus::InProgress);
    started.assigned_agent_id = Some(id(7));
    started.in_progress_at = Some(now);
    let deps = [
        Dependent {
            state: started,
            title: "Started".into(),
        },
        Dependent {
            state: state(3, TaskStatus::Inbox),
            title: "Pristine".into(),
        },
        Dependent {
            state: state(4, TaskStatus::Done),
            title: "Finished".into(),
        },
    ];
    let changes = plan_dependents(TaskStatus::Done, TaskStatus::Review, &deps, Some(id(9)));
    assert_eq!(changes.len(), 2, "a done dependent is left alone");
    assert_eq!(
        changes[0].reset_to,
        Some(ResetState {
            status: TaskStatus::Inbox,
            assigned_agent_id: None,
            in_progress_at: None,
            previous_in_progress_at: Some(now),
        })
    );
    assert_eq!(changes[0].activity.event_type, "task.status_changed");
    assert_eq!(
        changes[0].activity.message,
        "Task moved to inbox: Started (dependency reopened)."
    );
    assert_eq!(changes[0].activity.agent_id, Some(id(9)));
    assert_eq!(changes[1].reset_to, None);
    assert_eq!(changes[1].activity.event_type, "task.updated");
}
