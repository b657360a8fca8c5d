import { signImages, type SignRequest } from '../services/sign-images';

export type SignArgs = SignRequest;

/** `images sign`: signs each image's pushed digest with cosign (services/sign-images.ts). */
export async function sign(args: SignArgs): Promise<string[]> {
  return signImages(args);
}
