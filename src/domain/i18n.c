#include "domain/i18n.h"

#include <string.h>

struct msg {
	const char *id;
	const char *ja;
	const char *en;
};

/* The catalogue. Ids are stable and also appear in API error bodies. */
static const struct msg catalogue[] = {
	{ "required", "{label}を入力してください。", "{label} is required." },
	{ "too_long", "{label}は{max}文字以内で入力してください。",
	  "{label} must be at most {max} characters." },
	{ "not_integer", "{label}は整数で入力してください。", "{label} must be a whole number." },
	{ "out_of_range", "{label}は{min}から{max}までの値を入力してください。",
	  "{label} must be between {min} and {max}." },
	{ "bad_choice", "{label}の値が選択肢にありません。",
	  "{label} is not one of the allowed values." },
	{ "bad_date", "{label}は日付（例: 2024-04-01、令和6年4月1日、R6.4.1）で入力してください。",
	  "{label} must be a date (e.g. 2024-04-01, 令和6年4月1日, R6.4.1)." },
	{ "bad_ref", "{label}に指定された項目が見つかりません。",
	  "{label} refers to a record that does not exist." },
	{ "ambiguous_ref", "{label}に同じ名前の項目が複数あります。コードで指定してください。",
	  "{label} matches several records; use the code instead." },
	{ "not_text", "{label}は文字列で入力してください。", "{label} must be a string." },
	{ "bad_text", "{label}に使えない文字（制御文字）が含まれています。",
	  "{label} contains characters that are not allowed (control characters)." },
	{ "bad_utf8", "{label}の文字コードが正しくありません（UTF-8 ではありません）。",
	  "{label} is not valid UTF-8." },
	{ "unknown_field", "{label}という項目はありません。", "There is no field called {label}." },
	{ "read_only", "{label}は自動で設定される項目のため、変更できません。",
	  "{label} is set automatically and cannot be changed." },
	{ "duplicate", "この{label}は既に使われています。", "This {label} is already in use." },
	{ "self_ref", "{label}に自分自身は指定できません。", "{label} cannot refer to itself." },
	{ "cycle", "{label}の指定が循環しています。", "{label} would create a cycle." },
	{ "retired_ref", "{label}に指定された項目は廃止されています。",
	  "{label} refers to a retired record." },
	{ "not_found", "指定された記録が見つかりません。", "The record was not found." },
	{ "conflict",
	  "この記録は他の人が先に更新しました。最新の内容を確認してから、もう一度編集してください"
	  "。",
	  "Someone else updated this record first. Review the latest version and edit again." },
	{ "bad_json", "送信された JSON の形式が正しくありません。", "The JSON body is malformed." },
	{ "not_object", "送信された JSON はオブジェクトではありません。",
	  "The JSON body must be an object." },
	{ "too_big", "送信されたデータが大きすぎます。", "The request body is too large." },
	{ "bad_media_type", "この形式のデータは受け付けられません。",
	  "This content type is not accepted." },
	{ "bad_query", "検索条件の指定が正しくありません。", "The query parameters are invalid." },
	{ "bad_version", "version（編集する版）を指定してください。",
	  "Give the version you are editing (version field or If-Match)." },
	{ "already_retired", "この記録は既に廃止されています。",
	  "This record is already retired." },
	{ "not_retired", "この記録は廃止されていません。", "This record is not retired." },
	{ "validation", "入力内容に誤りがあります。", "Some fields are invalid." },
	{ "internal", "サーバー内部でエラーが発生しました。管理者に連絡してください。",
	  "An internal error occurred. Contact the administrator." },
	{ "busy", "サーバーが混み合っています。しばらくしてから、もう一度お試しください。",
	  "The server is busy. Try again shortly." },
	{ "storage",
	  "保存できませんでした（記憶装置の空き容量不足または障害）。管理者に連絡してください。"
	  "復旧後、記録の内容を確かめてから、もう一度操作してください。",
	  "Could not save (the storage is full or failing). Contact the administrator; once it "
	  "is fixed, check the record before trying again." },
	{ "method_not_allowed", "この操作は許可されていません。", "Method not allowed." },
	{ "csv_bad_encoding",
	  "ファイルの文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）。",
	  "The file's encoding could not be detected (save it as UTF-8 or Shift_JIS)." },
	{ "csv_malformed", "CSV の形式が正しくありません（引用符が閉じていない等）。",
	  "The CSV is malformed (for example an unterminated quote)." },
	{ "csv_no_header", "見出し行がありません。", "The header row is missing." },
	{ "csv_unknown_column", "見出し「{label}」は台帳の項目にありません。",
	  "The column \"{label}\" is not a field of this register." },
	{ "csv_duplicate_column", "見出し「{label}」が重複しています。",
	  "The column \"{label}\" appears twice." },
	{ "csv_wrong_count", "列の数が見出し行と一致しません。",
	  "The number of columns does not match the header." },
	{ "csv_duplicate_key", "同じ{label}の行がファイル内に複数あります。",
	  "Several rows in the file have the same {label}." },
	{ "unencodable", "{label}に Shift_JIS（CP932）で表せない文字があります。",
	  "{label} contains a character that CP932 (Shift_JIS) cannot represent." },
	{ "role_needs_section", "この役割は課ごとに任命するため、{label}を指定してください。",
	  "This role is held per section: {label} is required." },
	{ "role_no_section", "この役割は全庁の役割のため、{label}は指定できません。",
	  "This role covers the whole organisation: leave {label} empty." },
	{ "until_before_from", "{label}は開始日より前の日付にできません。",
	  "{label} cannot be before the start date." },
	{ "sod_infra_data",
	  "同じ人が情報システムの基盤管理者と、そのシステム上の情報資産の"
	  "データ管理責任者を兼ねることはできません（2.2 職務の分離、ルール「{label}」）。",
	  "One person cannot be both the infrastructure administrator of a system and the data "
	  "manager of the information assets on it (2.2 separation of duties, rule \"{label}\")." },
	{ "sod_asset_admin",
	  "この情報システムの基盤管理者は、この資産の所管課のデータ管理責任者、または資産のデータ管"
	  "理"
	  "責任者と同じ人です。同じ人が兼ねることはできません（2.2 "
	  "職務の分離、ルール「{label}」）。",
	  "The infrastructure administrator of this system is the data manager of the asset's "
	  "section or of the asset itself; one person cannot hold both (2.2 separation of duties, "
	  "rule \"{label}\")." },
	{ "sod_requester_approver",
	  "申請者本人は、この申請を承認・却下できません（職務分離ルール「{label}」）。"
	  "別の情報システム管理責任者に依頼してください。",
	  "The requester cannot decide their own request (separation-of-duties rule \"{label}\"). "
	  "Ask another holder of the approving role." },
	{ "sod_grantee_approver",
	  "特権を付与される本人は、この申請を承認・却下できません（職務分離ルール「{label}」）。"
	  "別の情報システム管理責任者に依頼してください。",
	  "The grantee cannot decide a request for their own privilege (separation-of-duties rule "
	  "\"{label}\"). Ask another holder of the approving role." },
	{ "sod_same_duty", "{label}には職務1と異なる職務を指定してください。",
	  "{label} must differ from the first duty." },
	{ "sod_pair_unsupported",
	  "この職務の組み合わせは確認できません。基盤管理者とデータ管理責任者、申請者と承認者、"
	  "特権の付与対象者と承認者のいずれかを指定してください。",
	  "mamori cannot check this pair of duties. Use infrastructure administrator and data "
	  "manager, requester and approver, or grantee and approver." },
	{ "privilege_not_privileged",
	  "{label}"
	  "には特権の役割を指定してください。特権でない役割は事務局が役割の担当者に登録します"
	  "。",
	  "{label} must be a privileged role; other roles are assigned by the secretariat." },
	{ "inspection_future",
	  "{label}は今日以前の日付にしてください（終わった期間を検査します）。",
	  "{label} cannot be in the future (an inspection covers a period that is over)." },
	{ "inspection_self_sign_off", "自分が{label}である検査は承認できません。",
	  "You cannot sign off an inspection where you are the {label}." },
	{ "until_past", "{label}は今日以降の日付にしてください。",
	  "{label} cannot be in the past." },
	{ "privilege_via_request",
	  "特権の役割は直接登録・変更・復元できません。「特権の申請」（/"
	  "privilege_requests）から申請"
	  "し、情報システム管理責任者の承認を受けてください（7.2(2)）。特権の取消（無効にする）は"
	  "できます。",
	  "A privileged role cannot be assigned, changed or restored directly. Request it under "
	  "Privilege requests (/privilege_requests) for approval by the information systems "
	  "manager (7.2(2)). Revoking (disabling) a privileged holding remains possible." },
	{ "wf_forbidden", "この操作（承認・却下など）を行う権限がありません。",
	  "You may not take this step (approve, reject, ...) on this record." },
	{ "wf_wrong_state",
	  "この記録は現在の状態ではこの操作ができません（既に処理済みの可能性があります）。"
	  "最新の内容を確認してください。",
	  "This step is not possible in the record's current state (it may have been decided "
	  "already). Review the latest version." },
	{ "wf_frozen",
	  "処理済みの記録は編集できません。状態の変更は画面のボタン（承認・却下など）で行います。",
	  "A decided record cannot be edited; its state changes only through its steps (approve, "
	  "reject, ...)." },
	{ "comment_too_long", "コメントは2000文字以内で入力してください。",
	  "The comment must be at most 2000 characters." },
	{ "bad_comment", "comment は文字列で指定してください。", "comment must be a string." },
	{ "login_invalid",
	  "{label}は{min}～{max}文字の半角英数字と記号（. _ -）で入力してください。",
	  "{label} must be {min} to {max} characters: ASCII letters, digits, '.', '_' or '-'." },
	{ "password_short", "{label}は{min}文字以上で入力してください。",
	  "{label} must be at least {min} characters long." },
	{ "password_long", "{label}が長すぎます（{max}バイトまで）。",
	  "{label} is too long (at most {max} bytes)." },
	{ "password_common",
	  "このパスワードはよく使われていて推測されやすいため、使用できません。"
	  "別のパスワードを設定してください。",
	  "This password is too common and easy to guess. Choose another one." },
	{ "password_personal", "パスワードにログイン名や氏名を含めることはできません。",
	  "The password must not contain the login or the person's name." },
	{ "password_encoding", "{label}に使用できない文字が含まれています。",
	  "{label} contains characters that cannot be used." },
	{ "person_left", "{label}に指定された職員は離職しているため、アカウントを作成できません。",
	  "The person given as {label} has left; no account can be created for them." },
	{ "account_exists",
	  "{label}に指定された職員には、既にアカウントがあります（アカウントは1人1つです）。",
	  "The person given as {label} already has an account (one account per person)." },
	{ "signin_failed",
	  "ログインできませんでした。ログイン名とパスワードをご確認ください。"
	  "失敗が続く場合は、しばらく時間をおいてからお試しください。",
	  "Sign-in failed. Check your login and password. After repeated failures, wait a while "
	  "before trying again." },
	{ "signin_rate_limited",
	  "ログインの試行回数が上限に達しました。しばらく時間をおいてから、もう一度お試しください"
	  "。",
	  "Too many sign-in attempts. Wait a while and try again." },
	{ "totp_invalid",
	  "確認コードが正しくないか、有効期限が切れています。"
	  "認証アプリに表示されている最新の6桁のコードを入力してください。",
	  "The verification code is wrong or has expired. Enter the current 6-digit code from "
	  "your authenticator app." },
	{ "totp_enrol_required",
	  "この役割で利用するには、二要素認証（認証アプリ）の登録が必要です。登録を済ませてください"
	  "。",
	  "Your role requires two-factor authentication. Register an authenticator app to "
	  "continue." },
	{ "session_expired",
	  "一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。",
	  "You were signed out after a period of inactivity. Please sign in again." },
	{ "unauthenticated", "ログインしてください。", "Sign in first." },
	{ "csrf",
	  "この操作は受け付けられませんでした（画面が古いか、別のサイトからの送信です）。画面を開き"
	  "直して、もう一度操作してください。",
	  "This request was refused (the page is out of date or came from another site). Reload "
	  "the page and try again." },
	{ "cross_site", "他のサイトからの送信は受け付けません。",
	  "Requests from other sites are not accepted." },
	{ "forbidden",
	  "この操作を行う権限がありません。必要な場合は、所管課のデータ管理責任者または事務局に"
	  "ご相談ください。",
	  "You do not have permission to do this. If you need to, ask the data manager of the "
	  "owning section or the ISMS secretariat." },
	{ "forbidden_row", "この行の記録を登録・変更する権限がありません。",
	  "You do not have permission to create or change the record of this row." },
	{ "bad_grant",
	  "person_id（職員の ID、整数）と kind（read、edit、named "
	  "のいずれか）だけを指定してください"
	  "。",
	  "Send only person_id (a person's id, an integer) and kind (read, edit or named)." },
	{ "grant_duplicate", "この人には、既に同じ種類の許可があります。",
	  "This person already has this kind of permission." },
	{ "person_unknown",
	  "{label}"
	  "に入力された職員番号（または氏名）の職員が見つかりません。職員番号をご確認ください"
	  "。",
	  "No person has the employee number (or name) given as {label}. Check the number." },
	{ "grant_left", "{label}に指定された職員は離職しているため、許可できません。",
	  "The person given as {label} has left; access cannot be granted to them." },
	{ "grant_entry_bad",
	  "個別の権限「{label}」は「種類:職員番号」の形（例: 閲覧:10007）で書いてください。",
	  "The grant \"{label}\" must be written as kind:employee number (e.g. 閲覧:10007 or "
	  "read:10007)." },
	{ "grant_kind_unknown",
	  "個別の権限「{label}"
	  "」の種類が正しくありません。閲覧・編集・指名のいずれかを書いてください"
	  "。",
	  "The grant \"{label}\" has an unknown kind: use 閲覧, 編集 or 指名 (read, edit or "
	  "named)." },
	{ "grant_kind_not_offered", "個別の権限「{label}」の種類は、この台帳では使えません。",
	  "The kind of the grant \"{label}\" is not used in this register." },
	{ "grant_person_unknown", "個別の権限「{label}」の職員番号の職員が見つかりません。",
	  "The grant \"{label}\": no person has this employee number." },
	{ "grant_person_ambiguous",
	  "個別の権限「{label}」に当てはまる職員が複数います。職員番号で指定してください。",
	  "The grant \"{label}\" matches several people; use the employee number." },
	{ "grant_person_left",
	  "個別の権限「{label}」の職員は離職しているか無効のため、新たに許可できません。",
	  "The grant \"{label}\": the person has left or is disabled and cannot be granted "
	  "access." },
	{ "forbidden_grants", "この行の記録の個別の権限を変更する権限がありません。",
	  "You do not have permission to change the grants of this row's record." },
	/* The roles of 付表1 by code (enum mm_role), for whoever may not read the
	 * roles register. */
	{ "role_ciso", "情報管理最高責任者", "Chief Information Security Officer" },
	{ "role_deputy", "情報管理統括責任者", "Information Security Director" },
	{ "role_systems", "情報システム管理責任者", "Information Systems Manager" },
	{ "role_data_manager", "データ管理責任者", "Data Manager" },
	{ "role_facilities", "施設管理責任者", "Facilities Manager" },
	{ "role_documents", "文書管理責任者", "Records Manager" },
	{ "role_secretariat", "事務局", "ISMS Secretariat" },
	{ "role_staff", "職員", "Staff member" },
	{ "role_contractor", "外部委託者", "Contractor" },
	{ "role_auditor", "監査人", "Auditor" },
	{ "role_app_admin", "アプリケーション管理者", "Application Administrator" },
	{ "enrol_totp",
	  "この役割では二要素認証（認証アプリ）が必要です。アカウント画面で登録してください。",
	  "Your role requires two-factor authentication: enrol an authenticator app on your "
	  "account page first." },
	/* Risk assessment (3.3). */
	{ "risk_bad_kinds",
	  "{label}は資産の種別（データ、ドキュメント、インフラ、ハード、ソフト、またはすべて）を"
	  "「、」で区切って入力してください。",
	  "{label} must list asset kinds (data, document, infrastructure, hardware, software, or "
	  "all), separated by commas." },
	{ "risk_bad_threat_code", "{label}に脅威カタログにない脅威番号が含まれています。",
	  "{label} names a threat number that is not in the threat catalogue." },
	{ "risk_asset_or_group",
	  "情報資産と資産グループ（業務分類）のどちらか一方を指定してください。",
	  "Give either an asset or an asset group (category), not both." },
	{ "risk_group_empty", "{label}に一致する有効な情報資産がありません。",
	  "No active asset has the category given as {label}." },
	{ "risk_owner_approver",
	  "リスク所有者本人は、このリスクの受容を承認できません。別の承認者に依頼してください。",
	  "The risk owner cannot accept their own risk. Ask another approver." },
	{ "risk_bad_levels", "脅威と脆弱性のレベルは1から3までの値を指定してください。",
	  "Threat and vulnerability levels must be between 1 and 3." },
	{ "risk_no_year", "指定された年度のリスク評価がありません。",
	  "There is no risk assessment for the given fiscal year." },
	{ "risk_bad_year",
	  "{label}には2000から2200までの年度を指定してください（from と to の両方）。",
	  "{label} must be a fiscal year from 2000 to 2200 (give both from and to)." },
};

size_t mm_msg_count(void)
{
	return sizeof(catalogue) / sizeof(catalogue[0]);
}

const char *mm_msg_id(size_t i)
{
	return i < mm_msg_count() ? catalogue[i].id : NULL;
}

const char *mm_msg(enum mm_lang lang, const char *id)
{
	for (size_t i = 0; i < sizeof(catalogue) / sizeof(catalogue[0]); i++)
		if (strcmp(catalogue[i].id, id) == 0)
			return lang == MM_EN ? catalogue[i].en : catalogue[i].ja;
	return id;
}

void mm_msg_format(struct mm_buf *b, enum mm_lang lang, const char *id, const char *label,
		   int64_t min, int64_t max)
{
	const char *t = mm_msg(lang, id);

	while (*t) {
		const char *open = strchr(t, '{');
		if (!open) {
			mm_buf_adds(b, t);
			break;
		}
		mm_buf_add(b, t, (size_t)(open - t));
		if (strncmp(open, "{label}", 7) == 0) {
			mm_buf_adds(b, label ? label : "");
			t = open + 7;
		} else if (strncmp(open, "{min}", 5) == 0) {
			mm_buf_addi(b, min);
			t = open + 5;
		} else if (strncmp(open, "{max}", 5) == 0) {
			mm_buf_addi(b, max);
			t = open + 5;
		} else {
			mm_buf_addc(b, '{');
			t = open + 1;
		}
	}
}
