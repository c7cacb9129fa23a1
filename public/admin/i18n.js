// English and Persian for the console: the catalog, the chosen locale (browser language, or the
// switcher's choice kept in localStorage), and locale-aware numbers, dates and relative times.
// Persian uses the Persian (Solar Hijri) calendar and Persian digits through Intl's fa-IR.

const LOCALE_KEY = 'switchboard.locale';
export const LOCALES = ['en', 'fa'];

const en = {
  'app.title': 'Switchboard · admin',
  'app.name': 'Switchboard',
  'app.subtitle': 'admin',
  'lang.label': 'Language',
  'lang.en': 'English',
  'lang.fa': 'فارسی',
  'nav.label': 'Sections',
  skip: 'Skip to content',
  'nav.slots': 'Active models',
  'nav.history': 'History',
  'nav.scheduled': 'Scheduled',
  'nav.audit': 'Audit log',
  'nav.providers': 'Providers & models',
  'nav.users': 'Users & tokens',
  'nav.account': 'My account',
  explorer: 'API explorer',
  'live.label': 'Live updates',
  'live.connecting': 'connecting',
  'live.live': 'live',
  'live.reconnecting': 'reconnecting',
  'live.error': 'error',
  'live.offline': 'offline',
  'signIn.title': 'Sign in',
  'signIn.token': 'API token',
  'signIn.placeholder': 'Paste a token',
  'signIn.submit': 'Sign in',
  'signIn.help': 'The token is kept in this browser (localStorage) until you sign out.',
  'signIn.empty': 'Enter an API token.',
  'signIn.failed': 'Could not sign in:',
  'signIn.failedStored': 'Could not sign in with the saved token:',
  signOut: 'Sign out',
  viewer: '{name} ({role})',
  'role.ADMIN': 'ADMIN',
  'role.MEMBER': 'MEMBER',
  readOnly: 'Read-only: only an ADMIN may change this.',
  refresh: 'Refresh',
  loadMore: 'Load more',
  cancel: 'Cancel',
  close: 'Close',
  save: 'Save',
  create: 'Create',
  edit: 'Edit',
  delete: 'Delete',
  yes: 'yes',
  no: 'no',
  none: 'none',
  empty: 'empty',
  nothing: 'nothing',
  actions: 'Actions',
  loading: 'Loading…',
  saved: 'Saved.',
  errorPrefix: 'Error:',
  loadFailed: 'Could not load this section:',
  liveRefused: 'Live updates were refused by the server; sign in again.',
  liveStopped: 'Live updates stopped:',
  liveError: 'Live update error:',
  version: 'v{n}',
  by: 'by {name}',
  'cap.CHAT': 'Chat',
  'cap.CODE': 'Code',
  'cap.CONTENT': 'Content',
  'cap.IMAGE': 'Image',
  'cap.AUDIO': 'Audio',
  'cap.EMBEDDING': 'Embedding',
  // Active models
  'slots.title': 'Active models',
  'slots.showAll': 'Show all capabilities',
  'slots.help':
    'Each cell is one slot (provider × capability). A pick remembers the version it was made against; if someone changes the slot meanwhile, the pick is marked and Switch asks you to confirm again.',
  'slots.noProviders': 'No providers yet.',
  'slots.provider': 'Provider',
  'slots.noCandidates': 'No model has this capability',
  'slots.notOffered': '—',
  'slots.choose': 'Choose a model…',
  'slots.modelFor': 'Model for {where}',
  'slots.where': '{capability} at {provider}',
  'slots.switch': 'Switch',
  'slots.switchAnyway': 'Review & switch…',
  'slots.switchLabel': 'Switch {where} to the selected model',
  'slots.clear': 'Clear',
  'slots.clearLabel': 'Clear {where}',
  'slots.emptyTitle': 'No model holds this slot',
  'slots.stale': 'Changed since your pick at {picked}: {who} switched it to {model} ({version}, {when}). Switch needs a fresh confirmation.',
  'slots.someone': 'someone',
  'slots.reasonGiven': 'Their reason: “{reason}”.',
  'slots.conflict':
    'Not switched: someone changed this slot first. It now holds {model} ({version}, by {who}). Your pick is kept; switch again to confirm it.',
  'slots.nothingChanged': 'Nothing changed: that model already holds this slot.',
  'slots.clearGone': 'Nothing changed: {model} no longer held this slot. It has been refreshed.',
  'slots.refreshFailed': 'Could not refresh this slot:',
  'slots.announce': '{where} is now {model} ({version}).',
  'switch.title': 'Switch {where}',
  'switch.body': 'From {from} to {to}.',
  'switch.staleWarning':
    'This slot changed after you picked: {who} switched it to {model} ({version}, {when}). Confirm again only if you still want {to}.',
  'switch.confirm': 'Switch',
  'switch.confirmAnyway': 'Switch anyway',
  reason: 'Reason (optional)',
  'reason.hint': 'Kept in the history and the audit log.',
  'clear.title': 'Clear {where}?',
  'clear.body':
    '{model} will stop serving {capability} at {provider}. Services that ask for this slot will get: nothing (no model), until a model is switched in.',
  'clear.confirm': 'Clear the slot',
  // History
  'history.title': 'History',
  'history.allProviders': 'All providers',
  'history.allCapabilities': 'All capabilities',
  'history.provider': 'Provider',
  'history.capability': 'Capability',
  'history.changedBy': 'Changed by',
  'history.from': 'From',
  'history.to': 'Until',
  'history.apply': 'Apply filters',
  'history.empty': 'No changes match.',
  'history.when': 'When',
  'history.slot': 'Slot',
  'history.change': 'Change',
  'history.reason': 'Reason',
  'history.replacedBy': 'replaced by',
  'history.scheduled': 'scheduled',
  'history.revert': 'Revert to this',
  'history.revertLabel': 'Revert {where} to {model} ({version})',
  'history.current': 'current',
  'revert.title': 'Revert {where}?',
  'revert.body':
    'The slot goes back to {model}, as it was at {version}. It now holds {current} ({currentVersion}). This is a new change; the history keeps everything.',
  'revert.confirm': 'Revert',
  'revert.nothing': 'Nothing changed: the slot already holds that model.',
  // Scheduled
  'scheduled.title': 'Scheduled switches',
  'scheduled.new': 'Schedule a switch',
  'scheduled.provider': 'Provider',
  'scheduled.model': 'Model',
  'scheduled.capabilities': 'Capabilities',
  'scheduled.capabilitiesHint': 'Default: all of the model’s capabilities.',
  'scheduled.at': 'When (your local time)',
  'scheduled.submit': 'Schedule',
  'scheduled.status': 'Status',
  'scheduled.allStatuses': 'All statuses',
  'scheduled.empty': 'Nothing scheduled.',
  'scheduled.when': 'When',
  'scheduled.what': 'Switch',
  'scheduled.createdBy': 'Scheduled by',
  'scheduled.outcome': 'Outcome',
  'scheduled.cancel': 'Cancel',
  'scheduled.cancelLabel': 'Cancel the switch at {when}',
  'scheduled.cancelTitle': 'Cancel this scheduled switch?',
  'scheduled.cancelBody': '{model} will not take {capabilities} at {provider} at {when}.',
  'scheduled.cancelConfirm': 'Cancel the switch',
  'scheduled.keep': 'Keep it',
  'scheduled.changes': '{count} slot change(s)',
  'status.PENDING': 'pending',
  'status.APPLIED': 'applied',
  'status.CANCELLED': 'cancelled',
  'status.FAILED': 'failed',
  // Audit
  'audit.title': 'Audit log',
  'audit.actor': 'Actor',
  'audit.anyone': 'Anyone',
  'audit.action': 'Action',
  'audit.allActions': 'All actions',
  'audit.target': 'Target',
  'audit.allTargets': 'All targets',
  'audit.summary': 'Summary',
  'audit.details': 'Details',
  'audit.empty': 'No events match.',
  'audit.server': 'server',
  // Providers and models
  'providers.title': 'Providers',
  'providers.new': 'New provider',
  'providers.edit': 'Edit provider {name}',
  'providers.name': 'Name',
  'providers.slug': 'Slug',
  'providers.slugHint': 'Lower-case letters, digits and single hyphens; cannot be changed later.',
  'providers.baseUrl': 'Base URL',
  'providers.apiStyle': 'API style',
  'providers.sharedKey': 'Shared key',
  'providers.sharedKeyNew': 'New shared API key',
  'providers.sharedKeyHint': 'Write-only: stored encrypted, never shown again.',
  'providers.sharedKeyKeep': 'Current key ends {hint}. Leave empty to keep it.',
  'providers.sharedKeyNone': 'No shared key is set.',
  'providers.sharedKeyRemove': 'Remove the shared key',
  'providers.sharedEnabled': 'Users may use the shared key',
  'providers.sharedEnabledShort': 'Shared key use',
  'providers.models': 'Models',
  'providers.empty': 'No providers yet.',
  'models.of': 'Models of {provider}',
  'models.new': 'New model',
  'models.newFor': 'New model for {provider}',
  'models.edit': 'Edit model {name}',
  'models.name': 'Name',
  'models.nameHint': 'Unique per provider, no spaces; cannot be changed later.',
  'models.displayName': 'Display name',
  'models.modelId': 'Provider’s model id',
  'models.capabilities': 'Capabilities',
  'models.active': 'Holds',
  'models.activate': 'Activate it for all its capabilities now',
  'models.empty': 'No models yet.',
  'models.deleteTitle': 'Delete {name}?',
  'models.deleteBody':
    'The model leaves every list. The slots it holds ({slots}) become empty: services asking for them get nothing until a model is switched in.',
  'models.deleteBodyIdle': 'The model leaves every list; it holds no slot. The history keeps it.',
  'models.deleteConfirm': 'Delete the model',
  'models.pickCapability': 'Choose at least one capability.',
  // Users and tokens
  'users.title': 'Users',
  'users.new': 'New user',
  'users.edit': 'Edit user {name}',
  'users.name': 'Name',
  'users.role': 'Role',
  'users.canUseSharedApi': 'May use shared keys',
  'users.created': 'Created',
  'users.tokens': 'Tokens',
  'users.showTokens': 'Tokens of {name}',
  'users.empty': 'No users.',
  'tokens.title': 'Tokens of {name}',
  'tokens.mine': 'My tokens',
  'tokens.new': 'New token',
  'tokens.newFor': 'New token for {name}',
  'tokens.name': 'What it is for',
  'tokens.created': 'Created',
  'tokens.lastUsed': 'Last used',
  'tokens.status': 'Status',
  'tokens.active': 'active',
  'tokens.revoked': 'revoked',
  'tokens.never': 'never',
  'tokens.revoke': 'Revoke',
  'tokens.revokeLabel': 'Revoke token {name}',
  'tokens.revokeTitle': 'Revoke token {name}?',
  'tokens.revokeBody': 'It stops working at once, and its open live connections close. This cannot be undone.',
  'tokens.revokeConfirm': 'Revoke the token',
  'tokens.empty': 'No tokens.',
  'tokens.shownOnce': 'Copy this token now: it is shown only once.',
  'tokens.createdTitle': 'Token “{name}” created',
  'tokens.copy': 'Copy',
  'tokens.copied': 'Copied',
  'tokens.copyFailed': 'Could not copy: select the text and copy it yourself.',
  'tokens.secret': 'The new token',
  // Account
  'account.title': 'My account',
  'account.you': 'You are {name}, {role}.',
  'account.shared': 'You may use providers’ shared keys: {value}.',
  'account.keys': 'Personal API keys',
  'account.keysHelp':
    'A personal key is used for your calls before the provider’s shared key. Keys are write-only: only their last characters are shown.',
  'account.provider': 'Provider',
  'account.key': 'Your key',
  'account.noKey': 'no key',
  'account.useShared': 'Prefer the shared key',
  'account.setKey': 'Set key',
  'account.replaceKey': 'Replace key',
  'account.setKeyTitle': 'Your key for {provider}',
  'account.apiKey': 'API key',
  'account.apiKeyHint': '8–1000 visible characters; stored encrypted, never shown again.',
  'account.removeKey': 'Remove',
  'account.removeKeyLabel': 'Remove your key for {provider}',
  'account.removeTitle': 'Remove your key for {provider}?',
  'account.removeBody': 'Your calls to {provider} will use the shared key, if you may, or fail with NO_API_ACCESS.',
  'account.removeConfirm': 'Remove the key',
  'account.noProviders': 'No providers yet.',
};

/** @type {Record<keyof typeof en, string>} */
const fa = {
  'app.title': 'سوییچ‌بورد · مدیریت',
  'app.name': 'سوییچ‌بورد',
  'app.subtitle': 'مدیریت',
  'lang.label': 'زبان',
  'lang.en': 'English',
  'lang.fa': 'فارسی',
  'nav.label': 'بخش‌ها',
  skip: 'پرش به محتوا',
  'nav.slots': 'مدل‌های فعال',
  'nav.history': 'تاریخچه',
  'nav.scheduled': 'زمان‌بندی‌ها',
  'nav.audit': 'گزارش رویدادها',
  'nav.providers': 'ارائه‌دهنده‌ها و مدل‌ها',
  'nav.users': 'کاربران و توکن‌ها',
  'nav.account': 'حساب من',
  explorer: 'کاوشگر API',
  'live.label': 'به‌روزرسانی زنده',
  'live.connecting': 'در حال اتصال',
  'live.live': 'زنده',
  'live.reconnecting': 'اتصال دوباره',
  'live.error': 'خطا',
  'live.offline': 'آفلاین',
  'signIn.title': 'ورود',
  'signIn.token': 'توکن API',
  'signIn.placeholder': 'توکن را اینجا بچسبانید',
  'signIn.submit': 'ورود',
  'signIn.help': 'توکن تا وقتی خارج شوید در همین مرورگر (localStorage) می‌ماند.',
  'signIn.empty': 'یک توکن API وارد کنید.',
  'signIn.failed': 'ورود ممکن نشد:',
  'signIn.failedStored': 'ورود با توکن ذخیره‌شده ممکن نشد:',
  signOut: 'خروج',
  viewer: '{name} ({role})',
  'role.ADMIN': 'مدیر',
  'role.MEMBER': 'عضو',
  readOnly: 'فقط خواندنی: فقط مدیر می‌تواند این را تغییر دهد.',
  refresh: 'تازه‌سازی',
  loadMore: 'موارد بیشتر',
  cancel: 'انصراف',
  close: 'بستن',
  save: 'ذخیره',
  create: 'ایجاد',
  edit: 'ویرایش',
  delete: 'حذف',
  yes: 'بله',
  no: 'خیر',
  none: 'هیچ',
  empty: 'خالی',
  nothing: 'هیچ',
  actions: 'کارها',
  loading: 'در حال بارگذاری…',
  saved: 'ذخیره شد.',
  errorPrefix: 'خطا:',
  loadFailed: 'این بخش بارگذاری نشد:',
  liveRefused: 'سرور به‌روزرسانی زنده را نپذیرفت؛ دوباره وارد شوید.',
  liveStopped: 'به‌روزرسانی زنده متوقف شد:',
  liveError: 'خطای به‌روزرسانی زنده:',
  version: 'نسخهٔ {n}',
  by: 'توسط {name}',
  'cap.CHAT': 'گفتگو',
  'cap.CODE': 'کد',
  'cap.CONTENT': 'محتوا',
  'cap.IMAGE': 'تصویر',
  'cap.AUDIO': 'صدا',
  'cap.EMBEDDING': 'بردارسازی',
  'slots.title': 'مدل‌های فعال',
  'slots.showAll': 'نمایش همهٔ قابلیت‌ها',
  'slots.help':
    'هر خانه یک جایگاه است (ارائه‌دهنده × قابلیت). هر انتخاب نسخه‌ای را که بر اساس آن انجام شده به یاد می‌سپارد؛ اگر در این میان کس دیگری جایگاه را تغییر دهد، انتخاب علامت می‌خورد و «تعویض» دوباره تأیید می‌خواهد.',
  'slots.noProviders': 'هنوز ارائه‌دهنده‌ای نیست.',
  'slots.provider': 'ارائه‌دهنده',
  'slots.noCandidates': 'هیچ مدلی این قابلیت را ندارد',
  'slots.notOffered': '—',
  'slots.choose': 'یک مدل انتخاب کنید…',
  'slots.modelFor': 'مدل برای {where}',
  'slots.where': '{capability} در {provider}',
  'slots.switch': 'تعویض',
  'slots.switchAnyway': 'بازبینی و تعویض…',
  'slots.switchLabel': 'تعویض {where} با مدل انتخاب‌شده',
  'slots.clear': 'خالی کردن',
  'slots.clearLabel': 'خالی کردن {where}',
  'slots.emptyTitle': 'هیچ مدلی در این جایگاه نیست',
  'slots.stale': 'پس از انتخاب شما در {picked} تغییر کرد: {who} آن را به {model} تغییر داد ({version}، {when}). تعویض دوباره تأیید می‌خواهد.',
  'slots.someone': 'کسی',
  'slots.reasonGiven': 'دلیل او: «{reason}».',
  'slots.conflict':
    'تعویض انجام نشد: کس دیگری زودتر این جایگاه را تغییر داد. اکنون {model} در آن است ({version}، توسط {who}). انتخاب شما مانده است؛ برای تأیید دوباره تعویض کنید.',
  'slots.nothingChanged': 'چیزی تغییر نکرد: همین مدل در این جایگاه است.',
  'slots.clearGone': 'چیزی تغییر نکرد: {model} دیگر در این جایگاه نبود. جایگاه تازه‌سازی شد.',
  'slots.refreshFailed': 'تازه‌سازی این جایگاه ممکن نشد:',
  'slots.announce': '{where} اکنون {model} است ({version}).',
  'switch.title': 'تعویض {where}',
  'switch.body': 'از {from} به {to}.',
  'switch.staleWarning':
    'این جایگاه پس از انتخاب شما تغییر کرد: {who} آن را به {model} تغییر داد ({version}، {when}). فقط اگر هنوز {to} را می‌خواهید دوباره تأیید کنید.',
  'switch.confirm': 'تعویض',
  'switch.confirmAnyway': 'با این حال تعویض کن',
  reason: 'دلیل (اختیاری)',
  'reason.hint': 'در تاریخچه و گزارش رویدادها می‌ماند.',
  'clear.title': '{where} خالی شود؟',
  'clear.body':
    '{model} دیگر برای {capability} در {provider} پاسخ نمی‌دهد. سرویس‌هایی که این جایگاه را می‌خواهند هیچ مدلی نمی‌گیرند (هیچ)، تا وقتی مدلی جایگزین شود.',
  'clear.confirm': 'خالی کردن جایگاه',
  'history.title': 'تاریخچه',
  'history.allProviders': 'همهٔ ارائه‌دهنده‌ها',
  'history.allCapabilities': 'همهٔ قابلیت‌ها',
  'history.provider': 'ارائه‌دهنده',
  'history.capability': 'قابلیت',
  'history.changedBy': 'تغییر توسط',
  'history.from': 'از',
  'history.to': 'تا',
  'history.apply': 'اعمال فیلترها',
  'history.empty': 'تغییری با این فیلترها نیست.',
  'history.when': 'زمان',
  'history.slot': 'جایگاه',
  'history.change': 'تغییر',
  'history.reason': 'دلیل',
  'history.replacedBy': 'جایگزین شد با',
  'history.scheduled': 'زمان‌بندی‌شده',
  'history.revert': 'بازگشت به این',
  'history.revertLabel': 'بازگرداندن {where} به {model} ({version})',
  'history.current': 'فعلی',
  'revert.title': '{where} بازگردانده شود؟',
  'revert.body':
    'جایگاه به {model} برمی‌گردد، همان‌طور که در {version} بود. اکنون {current} در آن است ({currentVersion}). این یک تغییر تازه است؛ تاریخچه همه چیز را نگه می‌دارد.',
  'revert.confirm': 'بازگرداندن',
  'revert.nothing': 'چیزی تغییر نکرد: همین مدل در جایگاه است.',
  'scheduled.title': 'تعویض‌های زمان‌بندی‌شده',
  'scheduled.new': 'زمان‌بندی یک تعویض',
  'scheduled.provider': 'ارائه‌دهنده',
  'scheduled.model': 'مدل',
  'scheduled.capabilities': 'قابلیت‌ها',
  'scheduled.capabilitiesHint': 'پیش‌فرض: همهٔ قابلیت‌های مدل.',
  'scheduled.at': 'زمان (به وقت محلی شما)',
  'scheduled.submit': 'زمان‌بندی',
  'scheduled.status': 'وضعیت',
  'scheduled.allStatuses': 'همهٔ وضعیت‌ها',
  'scheduled.empty': 'چیزی زمان‌بندی نشده است.',
  'scheduled.when': 'زمان',
  'scheduled.what': 'تعویض',
  'scheduled.createdBy': 'زمان‌بندی توسط',
  'scheduled.outcome': 'نتیجه',
  'scheduled.cancel': 'لغو',
  'scheduled.cancelLabel': 'لغو تعویض در {when}',
  'scheduled.cancelTitle': 'این تعویض زمان‌بندی‌شده لغو شود؟',
  'scheduled.cancelBody': '{model} در {when} جایگاه {capabilities} در {provider} را نمی‌گیرد.',
  'scheduled.cancelConfirm': 'لغو تعویض',
  'scheduled.keep': 'بماند',
  'scheduled.changes': '{count} تغییر جایگاه',
  'status.PENDING': 'در انتظار',
  'status.APPLIED': 'اعمال شد',
  'status.CANCELLED': 'لغو شد',
  'status.FAILED': 'ناموفق',
  'audit.title': 'گزارش رویدادها',
  'audit.actor': 'انجام‌دهنده',
  'audit.anyone': 'همه',
  'audit.action': 'کار',
  'audit.allActions': 'همهٔ کارها',
  'audit.target': 'هدف',
  'audit.allTargets': 'همهٔ هدف‌ها',
  'audit.summary': 'خلاصه',
  'audit.details': 'جزئیات',
  'audit.empty': 'رویدادی با این فیلترها نیست.',
  'audit.server': 'سرور',
  'providers.title': 'ارائه‌دهنده‌ها',
  'providers.new': 'ارائه‌دهندهٔ تازه',
  'providers.edit': 'ویرایش ارائه‌دهندهٔ {name}',
  'providers.name': 'نام',
  'providers.slug': 'شناسه',
  'providers.slugHint': 'حروف کوچک لاتین، رقم و خط تیرهٔ تکی؛ بعداً تغییر نمی‌کند.',
  'providers.baseUrl': 'نشانی پایه',
  'providers.apiStyle': 'نوع API',
  'providers.sharedKey': 'کلید مشترک',
  'providers.sharedKeyNew': 'کلید API مشترک تازه',
  'providers.sharedKeyHint': 'فقط نوشتنی: رمزگذاری‌شده ذخیره می‌شود و دیگر نمایش داده نمی‌شود.',
  'providers.sharedKeyKeep': 'کلید فعلی به {hint} ختم می‌شود. برای نگه داشتن آن خالی بگذارید.',
  'providers.sharedKeyNone': 'کلید مشترکی تنظیم نشده است.',
  'providers.sharedKeyRemove': 'حذف کلید مشترک',
  'providers.sharedEnabled': 'کاربران می‌توانند از کلید مشترک استفاده کنند',
  'providers.sharedEnabledShort': 'استفاده از کلید مشترک',
  'providers.models': 'مدل‌ها',
  'providers.empty': 'هنوز ارائه‌دهنده‌ای نیست.',
  'models.of': 'مدل‌های {provider}',
  'models.new': 'مدل تازه',
  'models.newFor': 'مدل تازه برای {provider}',
  'models.edit': 'ویرایش مدل {name}',
  'models.name': 'نام',
  'models.nameHint': 'یکتا در هر ارائه‌دهنده، بدون فاصله؛ بعداً تغییر نمی‌کند.',
  'models.displayName': 'نام نمایشی',
  'models.modelId': 'شناسهٔ مدل نزد ارائه‌دهنده',
  'models.capabilities': 'قابلیت‌ها',
  'models.active': 'جایگاه‌ها',
  'models.activate': 'همین حالا برای همهٔ قابلیت‌هایش فعال شود',
  'models.empty': 'هنوز مدلی نیست.',
  'models.deleteTitle': '{name} حذف شود؟',
  'models.deleteBody':
    'مدل از همهٔ فهرست‌ها بیرون می‌رود. جایگاه‌هایی که در اختیار دارد ({slots}) خالی می‌شوند: سرویس‌هایی که آن‌ها را می‌خواهند هیچ مدلی نمی‌گیرند تا مدلی جایگزین شود.',
  'models.deleteBodyIdle': 'مدل از همهٔ فهرست‌ها بیرون می‌رود؛ هیچ جایگاهی در اختیار ندارد. تاریخچه آن را نگه می‌دارد.',
  'models.deleteConfirm': 'حذف مدل',
  'models.pickCapability': 'دست‌کم یک قابلیت انتخاب کنید.',
  'users.title': 'کاربران',
  'users.new': 'کاربر تازه',
  'users.edit': 'ویرایش کاربر {name}',
  'users.name': 'نام',
  'users.role': 'نقش',
  'users.canUseSharedApi': 'اجازهٔ کلید مشترک',
  'users.created': 'ایجاد',
  'users.tokens': 'توکن‌ها',
  'users.showTokens': 'توکن‌های {name}',
  'users.empty': 'کاربری نیست.',
  'tokens.title': 'توکن‌های {name}',
  'tokens.mine': 'توکن‌های من',
  'tokens.new': 'توکن تازه',
  'tokens.newFor': 'توکن تازه برای {name}',
  'tokens.name': 'کاربرد آن',
  'tokens.created': 'ایجاد',
  'tokens.lastUsed': 'آخرین استفاده',
  'tokens.status': 'وضعیت',
  'tokens.active': 'فعال',
  'tokens.revoked': 'باطل‌شده',
  'tokens.never': 'هرگز',
  'tokens.revoke': 'ابطال',
  'tokens.revokeLabel': 'ابطال توکن {name}',
  'tokens.revokeTitle': 'توکن {name} باطل شود؟',
  'tokens.revokeBody': 'بی‌درنگ از کار می‌افتد و اتصال‌های زندهٔ آن بسته می‌شوند. این کار برگشت‌پذیر نیست.',
  'tokens.revokeConfirm': 'ابطال توکن',
  'tokens.empty': 'توکنی نیست.',
  'tokens.shownOnce': 'همین حالا این توکن را کپی کنید: فقط یک بار نمایش داده می‌شود.',
  'tokens.createdTitle': 'توکن «{name}» ایجاد شد',
  'tokens.copy': 'کپی',
  'tokens.copied': 'کپی شد',
  'tokens.copyFailed': 'کپی ممکن نشد: متن را انتخاب و خودتان کپی کنید.',
  'tokens.secret': 'توکن تازه',
  'account.title': 'حساب من',
  'account.you': 'شما {name} هستید، با نقش {role}.',
  'account.shared': 'اجازهٔ استفاده از کلیدهای مشترک ارائه‌دهنده‌ها: {value}.',
  'account.keys': 'کلیدهای API شخصی',
  'account.keysHelp':
    'کلید شخصی پیش از کلید مشترک ارائه‌دهنده برای درخواست‌های شما به کار می‌رود. کلیدها فقط نوشتنی‌اند: تنها چند نویسهٔ آخرشان نمایش داده می‌شود.',
  'account.provider': 'ارائه‌دهنده',
  'account.key': 'کلید شما',
  'account.noKey': 'بدون کلید',
  'account.useShared': 'ترجیح کلید مشترک',
  'account.setKey': 'تنظیم کلید',
  'account.replaceKey': 'جایگزینی کلید',
  'account.setKeyTitle': 'کلید شما برای {provider}',
  'account.apiKey': 'کلید API',
  'account.apiKeyHint': '۸ تا ۱۰۰۰ نویسهٔ دیدنی؛ رمزگذاری‌شده ذخیره می‌شود و دیگر نمایش داده نمی‌شود.',
  'account.removeKey': 'حذف',
  'account.removeKeyLabel': 'حذف کلید شما برای {provider}',
  'account.removeTitle': 'کلید شما برای {provider} حذف شود؟',
  'account.removeBody': 'درخواست‌های شما به {provider} از کلید مشترک (اگر اجازه دارید) استفاده می‌کنند یا با NO_API_ACCESS شکست می‌خورند.',
  'account.removeConfirm': 'حذف کلید',
  'account.noProviders': 'هنوز ارائه‌دهنده‌ای نیست.',
};

const catalogs = { en, fa };
const listeners = new Set();

function browserLocale() {
  const tags = navigator.languages?.length ? navigator.languages : [navigator.language || 'en'];
  for (const tag of tags) {
    const lang = String(tag).toLowerCase().split('-')[0];
    if (LOCALES.includes(lang)) return lang;
  }
  return 'en';
}

let current = (() => {
  const stored = localStorage.getItem(LOCALE_KEY);
  return LOCALES.includes(stored) ? stored : browserLocale();
})();

/** Keys of the English catalog that Persian lacks (a test checks it is empty). */
export function missingTranslations() {
  return Object.keys(en).filter((key) => !(key in fa));
}

export function locale() {
  return current;
}

/** The switcher's choice; null goes back to following the browser. */
export function setLocale(next) {
  if (next === null) localStorage.removeItem(LOCALE_KEY);
  else localStorage.setItem(LOCALE_KEY, next);
  const resolved = next ?? browserLocale();
  if (resolved === current) return;
  current = resolved;
  applyDocumentLocale();
  for (const listener of listeners) listener(current);
}

export function onLocaleChange(listener) {
  listeners.add(listener);
}

export function applyDocumentLocale() {
  document.documentElement.lang = current;
  document.documentElement.dir = current === 'fa' ? 'rtl' : 'ltr';
  document.title = t('app.title');
}

/** t('slots.where', { capability: 'Chat', provider: 'Acme' }) */
export function t(key, params = {}) {
  const template = catalogs[current][key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

const intlTag = () => (current === 'fa' ? 'fa-IR' : 'en-GB');

/** A number in the locale's digits (Persian digits in Persian). */
export function num(n) {
  return new Intl.NumberFormat(intlTag(), { useGrouping: false }).format(n);
}

export function versionLabel(n) {
  return t('version', { n: num(n) });
}

export function capLabel(capability) {
  return t(`cap.${capability}`);
}

/** The exact date and time; Persian calendar in Persian. */
export function absoluteTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(intlTag(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** "3 min ago", "in 2 hours", "now"; Persian words and digits in Persian. */
export function relativeTime(iso, now = Date.now()) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const seconds = Math.round((date.getTime() - now) / 1000);
  const format = new Intl.RelativeTimeFormat(current === 'fa' ? 'fa' : 'en', { numeric: 'auto', style: 'short' });
  if (Math.abs(seconds) < 45) return format.format(0, 'second');
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(0, 'second');
}

/** A list joined the locale's way ("Chat, Code and Content"). */
export function list(items) {
  return new Intl.ListFormat(current === 'fa' ? 'fa' : 'en', { type: 'conjunction' }).format(items);
}
