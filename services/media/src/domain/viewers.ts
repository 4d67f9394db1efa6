// Who may see an upload posted in a chat, asked of chat-history (the owner of chats, members and messages).
import { createInternalClient } from '@chat/kit';
import { membershipApi } from '@chat/kit/contract';

export interface ChatViewers {
  /** Whether the user is now a member of a chat where the upload is posted (in a message not deleted). */
  canView(uploadId: string, userId: string, requestId?: string): Promise<boolean>;
}

export function createChatViewers(chatHistoryUrl: string, internalToken: string): ChatViewers {
  const call = createInternalClient(chatHistoryUrl, internalToken);
  return {
    async canView(uploadId, userId, requestId) {
      const path = membershipApi.uploadViewer.path.replace(':uploadId', uploadId).replace(':userId', userId);
      const answer = await call<unknown>(path, { requestId });
      return membershipApi.uploadViewer.response.parse(answer).canView;
    },
  };
}
