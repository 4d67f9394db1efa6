// The internal API the realtime nodes call (never routed by the gateway): who is in which chat. Everything a socket
// does as its user goes through the public routes instead, on behalf of that user.
import { membershipApi } from '@chat/kit/contract';
import { Router } from 'express';
import { canViewUpload } from '../db/attachments.ts';
import { listChatIdsOf, listContactsOf } from '../domain/chats/memberships.ts';
import type { ChatHistoryDeps } from '../domain/deps.ts';
import { idsOf } from './params.ts';

export function internalRoutes(deps: ChatHistoryDeps): Router {
  const router = Router();

  router.get(membershipApi.chatsOfUser.path, async (req, res) => {
    const { userId } = idsOf(req, 'userId');
    res.json({ chatIds: await listChatIdsOf(deps, { userId }) });
  });

  router.get(membershipApi.contactsOfUser.path, async (req, res) => {
    const { userId } = idsOf(req, 'userId');
    res.json({ userIds: await listContactsOf(deps, { userId }) });
  });

  // the media service asks before it serves an upload's bytes to anyone but its uploader
  router.get(membershipApi.uploadViewer.path, async (req, res) => {
    const { uploadId, userId } = idsOf(req, 'uploadId', 'userId');
    res.json({ canView: await canViewUpload(deps.db, uploadId, userId) });
  });

  return router;
}
