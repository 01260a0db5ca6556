/**
 * The offer's few strings in the widget's languages. Kept beside the offer (not in the shared
 * catalog) so Web Push stays one folder; the same locales as i18n/catalog.ts.
 */
export interface OfferText {
  question: string;
  accept: string;
  decline: string;
  enabled: string;
  failed: string;
}

const TEXT: Record<string, OfferText> = {
  en: { question: 'Get a notification when they reply, even with this site closed?', accept: 'Notify me', decline: 'No thanks', enabled: 'You will be notified when they reply.', failed: 'Notifications could not be turned on.' },
  tr: { question: 'Yanıt geldiğinde, site kapalıyken bile bildirim almak ister misiniz?', accept: 'Bana bildir', decline: 'Hayır, teşekkürler', enabled: 'Yanıt geldiğinde bildirim alacaksınız.', failed: 'Bildirimler açılamadı.' },
  fi: { question: 'Haluatko ilmoituksen, kun he vastaavat, vaikka sivusto olisi suljettu?', accept: 'Ilmoita minulle', decline: 'Ei kiitos', enabled: 'Saat ilmoituksen, kun he vastaavat.', failed: 'Ilmoituksia ei voitu ottaa käyttöön.' },
  zh: { question: '对方回复时通知您（即使关闭了本网站）？', accept: '通知我', decline: '不用了', enabled: '对方回复时您会收到通知。', failed: '无法开启通知。' },
  ko: { question: '사이트를 닫아도 답장이 오면 알림을 받으시겠어요?', accept: '알림 받기', decline: '괜찮아요', enabled: '답장이 오면 알려 드릴게요.', failed: '알림을 켤 수 없습니다.' },
  ar: { question: 'هل تريد إشعارًا عند الرد، حتى مع إغلاق هذا الموقع؟', accept: 'أعلمني', decline: 'لا، شكرًا', enabled: 'سيصلك إشعار عند الرد.', failed: 'تعذر تفعيل الإشعارات.' },
};

export function offerText(locale: string | undefined): { text: OfferText; dir: 'ltr' | 'rtl'; lang: string } {
  const candidates = [locale, ...(typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : [])];
  for (const c of candidates) {
    const lang = c?.toLowerCase().split('-')[0];
    if (lang && TEXT[lang]) return { text: TEXT[lang], dir: lang === 'ar' ? 'rtl' : 'ltr', lang };
  }
  return { text: TEXT.en!, dir: 'ltr', lang: 'en' };
}
