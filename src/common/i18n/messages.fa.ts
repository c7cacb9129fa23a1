import type { MessageKey } from './messages.en';

/** Persian messages: the same keys and {placeholders} as messages.en.ts (a unit test checks it). */
export const fa: Record<MessageKey, string> = {
  'auth.unauthenticated': "احراز هویت لازم است: یک توکن معتبر را به صورت 'Authorization: Bearer <token>' بفرستید.",
  'auth.invalidToken': 'توکن نامعتبر است یا باطل شده است.',
  'auth.forbidden': 'نقش شما ({role}) اجازهٔ {action} را ندارد؛ این کار نقش ADMIN می‌خواهد.',
  'auth.notOwnToken': 'فقط توکن‌های خودتان را می‌توانید باطل کنید.',
  'auth.notOwnUser': 'فقط برای خودتان می‌توانید این کار را بکنید؛ انجام آن برای کاربر دیگر نقش ADMIN می‌خواهد.',

  'provider.notFound': 'ارائه‌دهنده‌ای با شناسهٔ «{slug}» وجود ندارد.',
  'provider.slugTaken': 'ارائه‌دهنده‌ای با شناسهٔ «{slug}» از قبل وجود دارد.',

  'model.notFound': 'مدلی با شناسهٔ «{id}» وجود ندارد.',
  'model.notFoundByName': 'ارائه‌دهندهٔ «{provider}» مدلی به نام «{name}» ندارد.',
  'model.nameTaken': 'ارائه‌دهندهٔ «{provider}» از قبل مدلی به نام «{name}» دارد.',
  'model.lacksCapability': 'مدل «{name}» قابلیت {capability} را ندارد.',

  'activation.versionConflict':
    'نسخهٔ جایگاه {provider}/{capability} برابر {actual} است، نه {expected}: کس دیگری زودتر آن را تغییر داده است. دوباره بارگذاری و تلاش کنید.',
  'activation.expectedVersionNeedsOneCapability':
    'expectedVersion فقط برای یک جایگاه معنا دارد، اما این درخواست {count} قابلیت را تغییر می‌دهد: فقط یک قابلیت بفرستید.',

  'user.notFound': 'کاربری با شناسهٔ «{id}» وجود ندارد.',
  'user.nameTaken': 'کاربری به نام «{name}» از قبل وجود دارد.',
  'token.notFound': 'توکنی با شناسهٔ «{id}» وجود ندارد.',

  'input.invalid': 'ورودی نامعتبر است: {details}',
  'input.slug': '{field} باید ۲ تا ۴۰ نویسه از حروف کوچک لاتین، رقم و خط تیرهٔ تکی باشد (مثلاً "open-router").',
  'input.length': 'طول {field} باید بین {min} و {max} نویسه باشد.',
  'input.blank': '{field} نباید خالی باشد یا با فاصله شروع یا تمام شود.',
  'input.url': '{field} باید یک نشانی http(s) باشد.',
  'input.notEmpty': '{field} باید دست‌کم یک مقدار داشته باشد.',
  'input.distinct': '{field} نباید مقداری را دو بار داشته باشد.',
  'input.range': '{field} باید بین {min} و {max} باشد.',
  'input.id': '{field} باید یک شناسهٔ معتبر باشد.',
  'input.cursor': '{field} یک مکان‌نمای معتبر نیست.',
  'input.modelName': '{field} فقط می‌تواند حروف لاتین، رقم و . _ : / @ + - داشته باشد (بدون فاصله).',
  'input.minimum': '{field} باید {min} یا بیشتر باشد.',
  'input.tooMany': '{field} حداکثر می‌تواند {max} مقدار داشته باشد.',

  'internal': 'خطای داخلی سرور. هنگام گزارش، شناسهٔ درخواست {requestId} را ذکر کنید.',
  'unavailable': 'یکی از سرویس‌های پشتیبان ({service}) در دسترس نیست؛ بعداً دوباره تلاش کنید.',
  'request.badJson': 'بدنهٔ درخواست JSON معتبر نیست.',
  'request.notFound': 'مسیری برای {method} {url} وجود ندارد.',
  'request.tooLarge': 'بدنهٔ درخواست بیش از حد بزرگ است.',

  'resolution.explicitModel': 'مدل «{model}» در درخواست نام برده شده است.',
  'resolution.activeModel': 'مدل «{model}» مدل فعال {capability} در {provider} است.',
  'resolution.personalKey': 'کلید شخصی شما برای {provider} به کار می‌رود.',
  'resolution.sharedKey': 'کلید مشترک ارائه‌دهنده به کار می‌رود',
  'resolution.sharedBecauseOptedIn': 'شما کلید مشترک را به کلید شخصی خود ترجیح داده‌اید',
  'resolution.sharedBecauseNoPersonal': 'شما کلید شخصی برای {provider} ندارید',
  'gateway.noActiveModel': 'ارائه‌دهندهٔ «{provider}» مدل فعالی برای {capability} ندارد.',
  'gateway.noApiAccess': 'دسترسی به API ارائه‌دهندهٔ {provider} ندارید: {reason}.',
  'gateway.reason.noPersonalKey': 'کلید شخصی ندارید',
  'gateway.reason.optedButNoShared': 'شما کلید مشترک را انتخاب کرده‌اید',
  'gateway.reason.sharedDisabled': 'کلید مشترک برای این ارائه‌دهنده فعال نیست',
  'gateway.reason.noSharedKey': 'این ارائه‌دهنده کلید مشترک ندارد',
  'gateway.reason.userMayNotShare': 'شما اجازهٔ استفاده از کلید مشترک را ندارید',
  'gateway.capabilityUnsupported': '{provider} (رابط {style}) از {capability} پشتیبانی نمی‌کند.',
  'gateway.chatCapability': 'chat فقط قابلیت CHAT یا CODE را می‌پذیرد، نه {capability}.',
  'gateway.providerAuthFailed': '{provider} کلید API را نپذیرفت (HTTP {status}).',
  'gateway.providerRateLimited': '{provider} درخواست‌ها را محدود کرده است (HTTP 429)؛ بعداً دوباره تلاش کنید.',
  'gateway.providerError': '{provider} پاسخ نداد: {detail}.',
  'gateway.noBaseUrl': 'برای ارائه‌دهندهٔ «{provider}» نشانی پایه تنظیم نشده است.',
  'gateway.personalKeyMissing': 'هنوز کلید شخصی برای {provider} ندارید: apiKey را بفرستید.',
};
