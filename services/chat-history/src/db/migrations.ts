// The chat schema's migrations, in order (no file globbing at run time).
import type { SchemaMigrations } from '@chat/kit';
import * as chat from '../../migrations/001_chat.ts';
import * as changes from '../../migrations/002_changes.ts';
import * as conversation from '../../migrations/003_conversation.ts';
import * as search from '../../migrations/004_search.ts';
import * as notifications from '../../migrations/005_notifications.ts';
import * as searchRecent from '../../migrations/006_search_recent.ts';
import * as attachments from '../../migrations/007_attachments.ts';

export const chatMigrations: SchemaMigrations = {
  schema: 'chat',
  migrations: {
    '001_chat': chat,
    '002_changes': changes,
    '003_conversation': conversation,
    '004_search': search,
    '005_notifications': notifications,
    '006_search_recent': searchRecent,
    '007_attachments': attachments,
  },
  formerNames: {
    '002_chat': '001_chat',
    '003_chat_changes': '002_changes',
    '004_chat_conversation': '003_conversation',
    '005_search': '004_search',
    '006_chat_notifications': '005_notifications',
    '008_search_recent': '006_search_recent',
    '010_chat_attachments': '007_attachments',
  },
};
