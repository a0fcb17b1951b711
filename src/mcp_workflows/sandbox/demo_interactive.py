"""Demo workflows that wait for a person, as `InteractiveWorkflow`s built for chat assistants do.

They register the SDK's reserved `__get_pending_inputs` query and `__submit_input` update, post an
`assistant_message` before each question, and between them use every form kind an MCP server meets:
one MCP forms can carry after a rewrite (expense-approval, onboarding) and one they cannot (claim-intake).
"""

from __future__ import annotations

from typing import Any

from .chat_output import CHAT_ASSISTANT_OUTPUT_SCHEMA, chat_assistant_output, markdown_canvas, text_output
from .forms import (
    InputForm,
    accept_decline,
    chat_input,
    date_field,
    files_field,
    form_input,
    multi_choice,
    number_field,
    optional_text,
    single_choice,
    text_field,
)
from .interactive import GET_PENDING_INPUTS_HANDLER, SUBMIT_INPUT_HANDLER, send_assistant_message
from .program import DemoWorkflow, RunContext

PENDING_INPUTS_QUERY = (GET_PENDING_INPUTS_HANDLER,)
SUBMIT_INPUT_UPDATE = (SUBMIT_INPUT_HANDLER,)


def _input(properties: dict[str, Any], required: list[str], title: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
        "title": title,
    }


# expense-approval -----------------------------------------------------------------------------------


def expense_decision_form(employee: str) -> InputForm:
    """Accept or decline, and an optional comment for the employee."""
    return InputForm(
        form_input(
            {
                "approved": single_choice(
                    "Approved", "Approve this expense?", [("accept", "Approve"), ("decline", "Reject")]
                ),
                "comment": optional_text("Comment", "Optional note for the employee"),
            }
        ),
        label=f"Approver decision: {employee}'s expense",
    )


async def _expense_approval(ctx: RunContext) -> Any:
    employee = str(ctx.input["employee"])
    amount = float(ctx.input["amount"])
    reason = str(ctx.input["reason"])
    send_assistant_message(ctx, f"{employee} asks to be reimbursed {amount:.2f} EUR for {reason}. Do you approve?")
    answer = await ctx.wait_for_input(expense_decision_form(employee), ctx.input.get("timeout_seconds", 3600))
    approved = answer["approved"] == "accept"
    comment = answer["comment"]
    verdict = "Approved" if approved else "Rejected"
    ctx.log(f"Expense of {employee} {verdict.lower()}")
    summary = (
        f"# Expense decision\n\n| Employee | Amount | Reason | Decision |\n|---|---|---|---|\n"
        f"| {employee} | {amount:.2f} EUR | {reason} | {verdict} |\n" + (f"\n> {comment}\n" if comment else "")
    )
    return chat_assistant_output(
        [
            text_output(f"{verdict}: {employee}'s expense of {amount:.2f} EUR ({reason})."),
            markdown_canvas("Expense decision", summary),
        ],
        {"employee": employee, "amount": amount, "reason": reason, "approved": approved, "comment": comment},
        is_error=False,
    )


EXPENSE_APPROVAL = DemoWorkflow(
    name="expense-approval",
    display_name="Expense approval",
    description="Asks an approver to accept or reject an expense in a form (chat-assistant output); "
    "fails if nobody answers within timeout_seconds.",
    input_schema=_input(
        {
            "employee": {"type": "string", "minLength": 1, "description": "Who spent the money."},
            "amount": {"type": "number", "exclusiveMinimum": 0, "description": "Amount in EUR."},
            "reason": {"type": "string", "minLength": 1, "description": "What it was for."},
            "timeout_seconds": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": 86400,
                "default": 3600,
                "description": "How long to wait for the approver before failing.",
            },
        },
        ["employee", "amount", "reason"],
        "ExpenseApprovalInput",
    ),
    output_schema=CHAT_ASSISTANT_OUTPUT_SCHEMA,
    init=lambda _input: {},
    body=_expense_approval,
    tags=("demo", "human-in-the-loop", "chat-assistant"),
    available_in_chat_assistant=True,
    queries=PENDING_INPUTS_QUERY,
    updates=SUBMIT_INPUT_UPDATE,
)

# onboarding -----------------------------------------------------------------------------------------

ONBOARDING_DETAILS = InputForm(
    form_input(
        {
            "badge_id": text_field(
                "Badge Id",
                "Badge number",
                pattern="^EMP-[0-9]{4}$",
                error_message="Use EMP- followed by four digits",
            ),
            "weekly_hours": number_field(
                "Weekly Hours", "Contracted hours per week", minimum=1, maximum=60, default=40
            ),
            "start_date": date_field("Start Date", "First working day"),
            "team": single_choice(
                "Team", "Team", [("platform", "Platform"), ("product", "Product"), ("sales", "Sales")]
            ),
            "equipment": multi_choice(
                "Equipment", "Equipment needed", ["laptop", ("monitor", "External monitor"), ("phone", "Phone")]
            ),
            "notes": optional_text("Notes", "Anything else we should know"),
        }
    ),
    label="Onboarding details",
    whole_numbers=("weekly_hours",),
)

ONBOARDING_CONFIRMATION = InputForm(
    accept_decline("Are these details right?", "Yes, submit", "No, discard"), label="Confirm onboarding"
)


async def _onboarding(ctx: RunContext) -> Any:
    employee = str(ctx.input["employee"])
    send_assistant_message(ctx, f"Welcome aboard, {employee}! A few details first.")
    details = await ctx.wait_for_input(ONBOARDING_DETAILS)
    send_assistant_message(
        ctx,
        f"Badge {details['badge_id']}, team {details['team']}, starting {details['start_date']} "
        f"({details['weekly_hours']} h/week), equipment: {', '.join(details['equipment'])}. Is that right?",
    )
    confirmation = await ctx.wait_for_input(ONBOARDING_CONFIRMATION)
    confirmed = confirmation["choice"] == "accept"
    ctx.log(f"Onboarding of {employee} {'confirmed' if confirmed else 'discarded'}")
    return {"employee": employee, "details": details, "confirmed": confirmed}


ONBOARDING = DemoWorkflow(
    name="onboarding",
    display_name="Onboarding",
    description="Asks a new employee for their details in a form, then for a confirmation: two inputs in a row.",
    input_schema=_input(
        {"employee": {"type": "string", "minLength": 1, "description": "The new employee's name."}},
        ["employee"],
        "OnboardingInput",
    ),
    output_schema=_input(
        {
            "employee": {"type": "string"},
            "details": {"type": "object", "description": "The details form as answered."},
            "confirmed": {"type": "boolean"},
        },
        ["employee", "details", "confirmed"],
        "OnboardingOutput",
    ),
    init=lambda _input: {},
    body=_onboarding,
    tags=("demo", "human-in-the-loop"),
    queries=PENDING_INPUTS_QUERY,
    updates=SUBMIT_INPUT_UPDATE,
)

# claim-intake ---------------------------------------------------------------------------------------

CLAIM_STORY = InputForm(
    chat_input("What happened?", ["A pipe burst in the kitchen", "Someone broke a window"]),
    label="Describe the incident",
)

CLAIM_EVIDENCE = InputForm(
    form_input(
        {
            "photos": files_field("Photos", "Photos of the damage"),
            "contact": {"$ref": "#/$defs/Contact", "description": "Who we call back"},
        },
        defs={
            "Contact": {
                "properties": {
                    "name": {"title": "Name", "type": "string"},
                    "phone": {"title": "Phone", "type": "string"},
                },
                "required": ["name", "phone"],
                "title": "Contact",
                "type": "object",
            }
        },
    ),
    label="Photos and contact",
)


async def _claim_intake(ctx: RunContext) -> Any:
    policy = str(ctx.input["policy_number"])
    send_assistant_message(ctx, f"Sorry to hear that. Tell me what happened (policy {policy}).")
    story = await ctx.wait_for_input(CLAIM_STORY)
    send_assistant_message(ctx, "Thanks. Now the photos, and who we should call back.")
    evidence = await ctx.wait_for_input(CLAIM_EVIDENCE)
    text = " ".join(chunk["text"] for chunk in story["message"])
    return {"policy_number": policy, "description": text, "photos": evidence["photos"], "contact": evidence["contact"]}


CLAIM_INTAKE = DemoWorkflow(
    name="claim-intake",
    display_name="Claim intake",
    description="Asks for a chat message, then for photos (several files) and a contact (a nested object): "
    "input kinds MCP forms cannot carry.",
    input_schema=_input(
        {"policy_number": {"type": "string", "minLength": 1, "description": "The insurance policy."}},
        ["policy_number"],
        "ClaimIntakeInput",
    ),
    output_schema=_input(
        {
            "policy_number": {"type": "string"},
            "description": {"type": "string"},
            "photos": {"type": "array", "items": {"type": "string"}},
            "contact": {"type": "object"},
        },
        ["policy_number", "description", "photos", "contact"],
        "ClaimIntakeOutput",
    ),
    init=lambda _input: {},
    body=_claim_intake,
    tags=("demo", "human-in-the-loop"),
    queries=PENDING_INPUTS_QUERY,
    updates=SUBMIT_INPUT_UPDATE,
)

INTERACTIVE_WORKFLOWS = (EXPENSE_APPROVAL, ONBOARDING, CLAIM_INTAKE)
