## Local experts

expert-kind-law_firm = 법률사무소
expert-kind-accountant = 회계·세무사무소
expert-kind-consultant = 컨설턴트
expert-kind-notary = 공증인
expert-specialty-establishment = 법인 설립
expert-specialty-tax = 세무
expert-specialty-accounting = 회계
expert-specialty-labour = 노무
expert-specialty-licensing = 인허가
expert-specialty-customs = 통관
expert-specialty-ip = 지식재산
expert-specialty-real_estate = 부동산·사무실
expert-specialty-visas = 비자·체류
expert-status-submitted = 심사 대기
expert-status-verified = 검증됨
expert-status-suspended = 게시 중지
consultation-status-requested = 요청됨
consultation-status-accepted = 수락됨
consultation-status-declined = 거절됨
consultation-status-done = 완료
consultation-status-cancelled = 취소됨
consultation-action-accepted = 수락
consultation-action-declined = 거절
consultation-action-done = 완료 처리
consultation-action-cancelled = 취소

expert-err-rating = 평점은 1부터 5까지의 정수로 입력해 주세요.
expert-err-fee-high = 시간당 보수는 { $arg }달러 이하로 입력해 주세요.
expert-err-specialty = '{ $arg }'은(는) 목록에 없는 전문 분야입니다.
expert-err-no-specialty = 전문 분야를 하나 이상 선택해 주세요.
expert-err-language = '{ $arg }'은(는) ISO 639-1 언어 코드가 아닙니다 (예: ko, en, id).
expert-err-fee-order = 최대 보수는 최소 보수보다 작을 수 없습니다.
expert-err-plan = 우리 회사의 설립 계획에서 단계를 선택해 주세요.
expert-err-plan-closed = 종료된 계획에는 상담을 요청할 수 없습니다.
expert-err-step = 계획에 '{ $arg }' 단계가 없거나 삭제되었습니다.
expert-err-date-past = 희망일은 오늘 이후여야 합니다.
expert-err-voucher = 우리 회사가 선정된 지원사업만 바우처로 사용할 수 있습니다.
expert-err-decline-note = 거절할 때는 회사에 전할 사유를 적어 주세요.
expert-err-suspend-reason = 게시 중지 사유를 적어 주세요.
expert-error-bad-move = 지금 상태에서는 할 수 없는 처리입니다.
expert-error-unavailable = 이 전문가는 현재 게시 중지되어 상담을 요청할 수 없습니다.
expert-error-not-done = 완료된 상담만 평가할 수 있습니다.
expert-error-already-rated = 이미 평가한 상담입니다. 평가는 한 번만 할 수 있습니다.

expert-field-kind = 유형
expert-field-name-ko = 이름(한국어)
expert-field-name-en = 이름(영어)
expert-field-country = 국가
expert-field-city = 도시
expert-field-specialties = 전문 분야
expert-field-languages = 상담 가능 언어
expert-field-fee-min-usd = 시간당 최소 보수(미화 달러)
expert-field-fee-max-usd = 시간당 최대 보수(미화 달러)
expert-field-contact-email = 연락 이메일
expert-field-description-ko = 소개(한국어)
expert-field-description-en = 소개(영어)
expert-field-coi-declaration = 이해충돌 신고
expert-field-plan-step = 계획 단계
expert-field-message = 요청 내용
expert-field-preferred-date = 희망일
expert-field-voucher-program-id = 바우처(선정된 지원사업)
expert-field-display-name = 담당자 이름
expert-field-email = 로그인 이메일
expert-field-password = 비밀번호
expert-field-rating = 평점
expert-field-review = 후기
expert-field-note = 메모
expert-field-reason = 중지 사유
expert-hint-languages = ISO 639-1 두 글자 코드를 쉼표로 구분해 입력하세요 (예: ko, en, id). ko가 있으면 한국어 상담 가능으로 표시됩니다.
expert-hint-fee-min-usd = 비워 두면 '문의'로 표시됩니다.
expert-hint-coi-declaration = 정부기관·공무원·경쟁 고객과의 관계 등 이해충돌이 될 수 있는 사항을 적어 주세요. 신고 일시가 기록됩니다.
expert-hint-plan-step = 상담 받을 설립 계획의 단계를 고르세요.
expert-hint-preferred-date = YYYY-MM-DD
expert-hint-password = 10자 이상

expert-fee-fixed = 시간당 { $arg }
expert-fee-range = 시간당 { $min }~{ $max }
expert-fee-from = 시간당 { $arg }부터
expert-fee-to = 시간당 최대 { $arg }
expert-fee-ask = 보수 문의
expert-track-record = ★ { $avg } (완료 { $n }건, 평가 { $ratings }건)
expert-track-record-none = 평가 없음 (완료 { $arg }건)
expert-verified-platform = 플랫폼 관리자
expert-verified-by = 검증 기관: { $arg }
expert-endorsed-by = 추천 기관: { $arg }
expert-coi-none = 신고된 이해충돌 없음
expert-coi-declared = { $arg } 신고
expert-korean = 한국어 가능
expert-label-specialties = 전문 분야
expert-label-specialty = 전문 분야
expert-label-languages = 언어
expert-label-fee = 보수
expert-label-verification = 검증
expert-label-endorsement = 추천
expert-label-coi = 이해충돌 신고
expert-label-track-record = 평점·실적
expert-filter-korean = 한국어 상담 가능
experts-title = 현지 전문가
experts-intro = 기관이 검증한 현지 법률·회계·컨설팅·공증 전문가입니다. 설립 계획의 단계별로 상담을 요청할 수 있습니다.
experts-illustrative-note = '예시' 표시가 있는 전문가는 시연용으로 만든 가상의 사무소이며 실제 회사나 인물이 아닙니다.
experts-total = 전문가 { $arg }명
experts-none = 조건에 맞는 전문가가 없습니다.
experts-back = 전문가 목록으로
experts-find = 전문가 찾기
expert-apply-link = 전문가로 등록 신청
expert-book-title = 상담 요청
expert-book-intro = 요청은 전문가에게 이메일과 알림으로 전달됩니다. 보수와 일정은 전문가와 직접 정합니다.
expert-book-submit = 상담 요청 보내기
expert-book-no-plan = 진행 중인 설립 계획이 없습니다. 먼저 계획을 만드세요.
expert-book-sign-in = 기업 회원으로 로그인하면 상담을 요청할 수 있습니다.
expert-book-companies-only = 상담 요청은 기업 회원만 할 수 있습니다.
expert-reviews-title = 기업 후기
expert-reviews-none = 아직 후기가 없습니다.
experts-mine-title = 전문가 상담
expert-col-expert = 전문가
expert-col-step = 계획 단계
expert-col-status = 상태
expert-col-requested = 요청일
expert-col-answer = 답변·평가
expert-col-actions = 처리
expert-col-company = 기업
expert-col-message = 요청 내용
expert-voucher = 바우처: { $arg }
expert-preferred = 희망일 { $arg }
expert-rate-submit = 평가하기
consultations-none = 상담 내역이 없습니다.
expert-inbox-title = 상담 요청
expert-profile-title = 내 전문가 정보
expert-profile-intro = 검증된 정보를 수정하면 기관이 다시 검토할 때까지 목록에서 내려갑니다.
expert-profile-save = 저장하고 검토 요청
expert-profile-resubmitted = 저장했습니다. 기관 검토 후 다시 게시됩니다.
expert-apply-title = 현지 전문가 등록 신청
expert-apply-intro = 계정과 사무소 정보를 입력하세요. 기관이 검증한 뒤에 목록에 게시됩니다.
expert-apply-submit = 신청하기
expert-applied-title = 신청이 접수되었습니다
expert-applied-text = 기관이 검토한 뒤 목록에 게시합니다. 지금 로그인하면 신청 내용을 확인하고 고칠 수 있습니다.
experts-review-title = 전문가 심사
experts-review-intro = 신청된 전문가를 검증하고, 문제가 있으면 사유와 함께 게시를 중지합니다. 검증과 추천에는 소속 기관이 기록됩니다.
experts-review-queue = 심사 대기
experts-review-all = 전체 전문가
expert-action-verify = 검증
expert-action-suspend = 게시 중지
expert-action-endorse = 기관 추천
expert-booked = 상담을 요청했습니다. 전문가가 답하면 알려 드립니다.
expert-saved = 저장했습니다.

notification-consultation_requested = '{ $arg }'에 새 상담 요청이 있습니다.
notification-consultation_accepted = '{ $arg }'이(가) 상담 요청을 수락했습니다.
notification-consultation_declined = '{ $arg }'이(가) 상담 요청을 거절했습니다.
notification-consultation_done = '{ $arg }'과(와)의 상담이 완료되었습니다. 평가를 남겨 주세요.
notification-consultation_cancelled = '{ $arg }' 상담이 취소되었습니다.
notification-consultation_rated = '{ $arg }' 상담에 평가가 등록되었습니다.
notification-expert_verified = '{ $arg }' 정보가 검증되어 목록에 게시되었습니다.
notification-expert_suspended = '{ $arg }'의 게시가 중지되었습니다.

mail-consultation-requested-subject = [GlobalDesk] 상담 요청: { $arg }
mail-consultation-requested-body = { $name }님,

    { $company }에서 설립 계획의 '{ $step }' 단계에 대해 상담을 요청했습니다.
    확인하고 답해 주세요: { $link }

    GlobalDesk
mail-consultation-accepted-subject = [GlobalDesk] 상담 수락: { $arg }
mail-consultation-accepted-body = { $name }님,

    { $expert }이(가) '{ $step }' 단계 상담 요청을 수락했습니다.
    { $note }
    확인: { $link }

    GlobalDesk
mail-consultation-declined-subject = [GlobalDesk] 상담 거절: { $arg }
mail-consultation-declined-body = { $name }님,

    { $expert }이(가) '{ $step }' 단계 상담 요청을 거절했습니다.
    사유: { $note }
    다른 전문가 찾기: { $link }

    GlobalDesk
mail-consultation-done-subject = [GlobalDesk] 상담 완료: { $arg }
mail-consultation-done-body = { $name }님,

    { $expert }과(와)의 '{ $step }' 단계 상담이 완료되었습니다.
    평가를 남겨 주시면 다른 기업에 도움이 됩니다: { $link }

    GlobalDesk
mail-consultation-cancelled-subject = [GlobalDesk] 상담 취소: { $arg }
mail-consultation-cancelled-body = { $name }님,

    '{ $step }' 단계 상담({ $company } · { $expert })이 취소되었습니다.
    확인: { $link }

    GlobalDesk
