## Local experts

expert-kind-law_firm = Law firm
expert-kind-accountant = Accountant
expert-kind-consultant = Consultant
expert-kind-notary = Notary
expert-specialty-establishment = Establishment
expert-specialty-tax = Tax
expert-specialty-accounting = Accounting
expert-specialty-labour = Labour
expert-specialty-licensing = Licensing
expert-specialty-customs = Customs
expert-specialty-ip = Intellectual property
expert-specialty-real_estate = Real estate and offices
expert-specialty-visas = Visas and residence
expert-status-submitted = Awaiting review
expert-status-verified = Verified
expert-status-suspended = Suspended
consultation-status-requested = Requested
consultation-status-accepted = Accepted
consultation-status-declined = Declined
consultation-status-done = Done
consultation-status-cancelled = Cancelled
consultation-action-accepted = Accept
consultation-action-declined = Decline
consultation-action-done = Mark done
consultation-action-cancelled = Cancel

expert-err-rating = Give a rating as a whole number from 1 to 5.
expert-err-fee-high = Enter an hourly fee of at most { $arg } dollars.
expert-err-specialty = '{ $arg }' is not one of the listed specialties.
expert-err-no-specialty = Choose at least one specialty.
expert-err-language = '{ $arg }' is not an ISO 639-1 language code (e.g. ko, en, id).
expert-err-fee-order = The highest fee cannot be lower than the lowest.
expert-err-plan = Choose a step of one of your company's plans.
expert-err-plan-closed = Consultations cannot be requested on a closed plan.
expert-err-step = The plan has no step '{ $arg }', or it was removed.
expert-err-date-past = The preferred date must be today or later.
expert-err-voucher = Only a support program your company was awarded can be used as a voucher.
expert-err-decline-note = When declining, tell the company why.
expert-err-suspend-reason = Give the reason for suspending the listing.
expert-error-bad-move = That cannot be done in the current state.
expert-error-unavailable = This expert's listing is suspended; consultations cannot be requested.
expert-error-not-done = Only a finished consultation can be rated.
expert-error-already-rated = This consultation has already been rated. A rating is given once.

expert-field-kind = Kind
expert-field-name-ko = Name (Korean)
expert-field-name-en = Name (English)
expert-field-country = Country
expert-field-city = City
expert-field-specialties = Specialties
expert-field-languages = Languages
expert-field-fee-min-usd = Lowest hourly fee (USD)
expert-field-fee-max-usd = Highest hourly fee (USD)
expert-field-contact-email = Contact e-mail
expert-field-description-ko = Description (Korean)
expert-field-description-en = Description (English)
expert-field-coi-declaration = Conflict-of-interest declaration
expert-field-plan-step = Plan step
expert-field-message = Your request
expert-field-preferred-date = Preferred date
expert-field-voucher-program-id = Voucher (an awarded program)
expert-field-display-name = Contact person
expert-field-email = Sign-in e-mail
expert-field-password = Password
expert-field-rating = Rating
expert-field-review = Review
expert-field-note = Note
expert-field-reason = Reason
expert-hint-languages = ISO 639-1 two-letter codes separated by commas (e.g. ko, en, id). With ko you are shown as Korean-speaking.
expert-hint-fee-min-usd = Leave empty to show "fee on request".
expert-hint-coi-declaration = Ties to agencies, officials or competing clients that could be a conflict of interest. The date of the declaration is recorded.
expert-hint-plan-step = The step of your plan the consultation is about.
expert-hint-preferred-date = YYYY-MM-DD
expert-hint-password = At least 10 characters

expert-fee-fixed = { $arg } per hour
expert-fee-range = { $min }–{ $max } per hour
expert-fee-from = From { $arg } per hour
expert-fee-to = Up to { $arg } per hour
expert-fee-ask = Fee on request
expert-track-record = ★ { $avg } (completed { $n }, { $ratings } ratings)
expert-track-record-none = No ratings yet (completed { $arg })
expert-verified-platform = the platform administrator
expert-verified-by = Verified by { $arg }
expert-endorsed-by = Endorsed by { $arg }
expert-coi-none = No conflict of interest declared
expert-coi-declared = declared { $arg }
expert-korean = Korean-speaking
expert-label-specialties = Specialties
expert-label-specialty = Specialty
expert-label-languages = Languages
expert-label-fee = Fees
expert-label-verification = Verification
expert-label-endorsement = Endorsement
expert-label-coi = Conflict of interest
expert-label-track-record = Rating and record
expert-filter-korean = Korean-speaking only
experts-title = Local experts
experts-intro = Local law firms, accountants, consultants and notaries checked by a Korean agency. Request a consultation on a step of your plan.
experts-illustrative-note = Experts marked "Illustrative" are invented firms for the demo, not real companies or people.
experts-total = { $arg } experts
experts-none = No expert matches these filters.
experts-back = Back to the experts
experts-find = Find an expert
expert-apply-link = Apply to be listed as an expert
expert-book-title = Request a consultation
expert-book-intro = The expert receives your request by e-mail and in the app. Fees and dates are agreed with the expert directly.
expert-book-submit = Send the request
expert-book-no-plan = You have no open plan. Start a plan first.
expert-book-sign-in = Sign in as a company member to request a consultation.
expert-book-companies-only = Only company members can request consultations.
expert-reviews-title = Companies' reviews
expert-reviews-none = No reviews yet.
experts-mine-title = Expert consultations
expert-col-expert = Expert
expert-col-step = Plan step
expert-col-status = Status
expert-col-requested = Requested
expert-col-answer = Answer and rating
expert-col-actions = Actions
expert-col-company = Company
expert-col-message = Request
expert-voucher = Voucher: { $arg }
expert-preferred = Preferred { $arg }
expert-rate-submit = Rate
consultations-none = No consultations yet.
expert-inbox-title = Consultation requests
expert-profile-title = My expert listing
expert-profile-intro = Editing a verified listing takes it off the directory until an agency has reviewed it again.
expert-profile-save = Save and send for review
expert-profile-resubmitted = Saved. The listing is shown again once an agency has reviewed it.
expert-apply-title = Apply to be listed as a local expert
expert-apply-intro = Enter your account and your firm's details. The listing is shown once an agency has verified it.
expert-apply-submit = Apply
expert-applied-title = Your application was received
expert-applied-text = An agency will review it before it is listed. You can sign in now to check and correct what you sent.
experts-review-title = Expert review
experts-review-intro = Verify new listings, and suspend one with a reason when there is a problem. Verifications and endorsements record your agency.
experts-review-queue = Awaiting review
experts-review-all = All experts
expert-action-verify = Verify
expert-action-suspend = Suspend
expert-action-endorse = Endorse for my agency
expert-booked = Your request was sent. We will let you know when the expert answers.
expert-saved = Saved.

notification-consultation_requested = New consultation request for '{ $arg }'.
notification-consultation_accepted = '{ $arg }' accepted your consultation request.
notification-consultation_declined = '{ $arg }' declined your consultation request.
notification-consultation_done = Your consultation with '{ $arg }' is done. Please rate it.
notification-consultation_cancelled = A consultation with '{ $arg }' was cancelled.
notification-consultation_rated = A consultation of '{ $arg }' was rated.
notification-expert_verified = '{ $arg }' was verified and is now listed.
notification-expert_suspended = The listing of '{ $arg }' was suspended.

mail-consultation-requested-subject = [GlobalDesk] Consultation request: { $arg }
mail-consultation-requested-body = Hello { $name },

    { $company } asks for a consultation on the step '{ $step }' of its plan.
    Review and answer: { $link }

    GlobalDesk
mail-consultation-accepted-subject = [GlobalDesk] Consultation accepted: { $arg }
mail-consultation-accepted-body = Hello { $name },

    { $expert } accepted your consultation request on the step '{ $step }'.
    { $note }
    See it: { $link }

    GlobalDesk
mail-consultation-declined-subject = [GlobalDesk] Consultation declined: { $arg }
mail-consultation-declined-body = Hello { $name },

    { $expert } declined your consultation request on the step '{ $step }'.
    Reason: { $note }
    Find another expert: { $link }

    GlobalDesk
mail-consultation-done-subject = [GlobalDesk] Consultation done: { $arg }
mail-consultation-done-body = Hello { $name },

    Your consultation with { $expert } on the step '{ $step }' is done.
    A rating helps other companies: { $link }

    GlobalDesk
mail-consultation-cancelled-subject = [GlobalDesk] Consultation cancelled: { $arg }
mail-consultation-cancelled-body = Hello { $name },

    The consultation on the step '{ $step }' ({ $company } · { $expert }) was cancelled.
    See it: { $link }

    GlobalDesk
