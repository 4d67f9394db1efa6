// The reactions offered first, in the main bundle: the full set loads only when the picker's search is used.
export const COMMON_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏', '🎉', '🔥'] as const;
