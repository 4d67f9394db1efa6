// Interface text in English and Russian, chosen from the browser's language, switchable and remembered.
const en = {
  appName: 'Chat',
  email: 'E-mail',
  password: 'Password',
  displayName: 'Display name',
  logIn: 'Log in',
  register: 'Create account',
  noAccount: 'No account yet?',
  haveAccount: 'Already registered?',
  logOut: 'Log out',
  profile: 'Profile',
  admin: 'Admin',
  chats: 'Chats',
  newDirect: 'New chat',
  newGroup: 'New group',
  searchUsers: 'Search people by name or e-mail',
  groupTitle: 'Group title',
  create: 'Create',
  cancel: 'Cancel',
  members: 'Members',
  addMember: 'Add',
  remove: 'Remove',
  leave: 'Leave chat',
  owner: 'owner',
  typeMessage: 'Write a message…',
  send: 'Send',
  edit: 'Edit',
  delete: 'Delete',
  save: 'Save',
  edited: 'edited',
  deleted: 'message deleted',
  retry: 'Retry',
  failed: 'not sent',
  pending: 'sending…',
  sent: 'sent',
  read: 'read',
  readBy: 'read by {n}',
  typing: '{names} typing…',
  online: 'online',
  lastSeen: 'last seen {time}',
  reconnecting: 'Reconnecting…',
  offline: 'Offline — messages will be sent when the connection is back',
  noChats: 'No chats yet. Start one with “New chat”.',
  pickChat: 'Pick a chat',
  loadOlder: 'Loading older messages…',
  back: 'Back',
  today: 'Today',
  yesterday: 'Yesterday',
  changePassword: 'Change password',
  currentPassword: 'Current password',
  newPassword: 'New password',
  savedOk: 'Saved',
  users: 'Users',
  active: 'active',
  deactivate: 'Deactivate',
  activate: 'Activate',
  makeAdmin: 'Make admin',
  revokeAdmin: 'Revoke admin',
  language: 'Language',
  you: 'you',
};
type Key = keyof typeof en;
const ru: Record<Key, string> = {
  appName: 'Чат',
  email: 'Эл. почта',
  password: 'Пароль',
  displayName: 'Имя',
  logIn: 'Войти',
  register: 'Создать аккаунт',
  noAccount: 'Нет аккаунта?',
  haveAccount: 'Уже зарегистрированы?',
  logOut: 'Выйти',
  profile: 'Профиль',
  admin: 'Администрирование',
  chats: 'Чаты',
  newDirect: 'Новый чат',
  newGroup: 'Новая группа',
  searchUsers: 'Найти по имени или почте',
  groupTitle: 'Название группы',
  create: 'Создать',
  cancel: 'Отмена',
  members: 'Участники',
  addMember: 'Добавить',
  remove: 'Удалить',
  leave: 'Покинуть чат',
  owner: 'владелец',
  typeMessage: 'Напишите сообщение…',
  send: 'Отправить',
  edit: 'Изменить',
  delete: 'Удалить',
  save: 'Сохранить',
  edited: 'изменено',
  deleted: 'сообщение удалено',
  retry: 'Повторить',
  failed: 'не отправлено',
  pending: 'отправляется…',
  sent: 'отправлено',
  read: 'прочитано',
  readBy: 'прочитали: {n}',
  typing: '{names} печатает…',
  online: 'в сети',
  lastSeen: 'был(а) {time}',
  reconnecting: 'Переподключение…',
  offline: 'Нет связи — сообщения отправятся, когда связь вернётся',
  noChats: 'Чатов пока нет. Начните с «Новый чат».',
  pickChat: 'Выберите чат',
  loadOlder: 'Загружаем более ранние сообщения…',
  back: 'Назад',
  today: 'Сегодня',
  yesterday: 'Вчера',
  changePassword: 'Сменить пароль',
  currentPassword: 'Текущий пароль',
  newPassword: 'Новый пароль',
  savedOk: 'Сохранено',
  users: 'Пользователи',
  active: 'активен',
  deactivate: 'Заблокировать',
  activate: 'Разблокировать',
  makeAdmin: 'Сделать админом',
  revokeAdmin: 'Снять админа',
  language: 'Язык',
  you: 'вы',
};

export type Lang = 'en' | 'ru';
const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem('lang');
const initial: Lang =
  stored === 'ru' || stored === 'en' ? stored : typeof navigator !== 'undefined' && navigator.language.startsWith('ru') ? 'ru' : 'en';

export const locale = $state({ lang: initial });

export function setLang(lang: Lang) {
  locale.lang = lang;
  localStorage.setItem('lang', lang);
  document.documentElement.lang = lang;
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = (locale.lang === 'ru' ? ru : en)[key];
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(locale.lang, { hour: '2-digit', minute: '2-digit' });
}

export function formatDay(iso: string): string {
  const day = new Date(iso);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86_400_000);
  if (day.toDateString() === today.toDateString()) return t('today');
  if (day.toDateString() === yesterday.toDateString()) return t('yesterday');
  return day.toLocaleDateString(locale.lang, { day: 'numeric', month: 'long', year: 'numeric' });
}
